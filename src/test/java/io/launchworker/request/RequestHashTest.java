package io.launchworker.request;

import static io.launchworker.request.Bodies.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestHashTest {
  private static final RequestReader READER = new RequestReader(LaunchPolicy.permissive());

  private static LaunchRequest read(String body) {
    ReadResult result = READER.read(body);
    assertThat(result).as(result.toString()).isInstanceOf(ReadResult.Accepted.class);
    return ((ReadResult.Accepted) result).request();
  }

  private static String hash(String body) {
    return RequestHash.of(read(body));
  }

  @Test
  void hashIsLowercaseHexSha256() {
    assertThat(RequestHash.of(read(Bodies.FULL))).matches("[0-9a-f]{64}");
  }

  @Test
  void keyOrderAndWhitespaceDoNotChangeTheHash() {
    String reordered = json("{\n"
        + "  'requestId' : 'req-7', 'clientToken':'producer-token-1',\n"
        + "  'tags': {'cost-center':'42', 'env':'prod', 'team':'web'},\n"
        + "  'userData':'" + Bodies.USER_DATA + "', 'iamInstanceProfile': {'name':'web-profile'},\n"
        + "  'keyName':'ops-key', 'securityGroupIds':['" + Bodies.SG_1 + "','" + Bodies.SG_2 + "'],\n"
        + "  'subnetId':'" + Bodies.SUBNET + "', 'maxCount':3, 'minCount':2,\n"
        + "  'instanceType':'t3.micro', 'imageId':'" + Bodies.AMI + "'\n"
        + "}\n");

    assertThat(hash(reordered)).isEqualTo(hash(Bodies.FULL));
  }

  @Test
  void explicitDefaultsHashLikeLeftOutOnes() {
    assertThat(hash(Bodies.with("'minCount':1,'maxCount':1"))).isEqualTo(hash(Bodies.MINIMAL));
    assertThat(hash(Bodies.template("'name':'web','version':'$Default'")))
        .isEqualTo(hash(Bodies.template("'name':'web'")));
  }

  /** Each body differs from {@link Bodies#FULL} in exactly one field. */
  @ParameterizedTest
  @ValueSource(strings = {
      "'imageId':'ami-0123456789abcdef1'",
      "'instanceType':'t3.small'",
      "'minCount':1",
      "'maxCount':4",
      "'subnetId':'subnet-0123456789abcdef1'",
      "'securityGroupIds':['" + Bodies.SG_2 + "','" + Bodies.SG_1 + "']",
      "'securityGroupIds':['" + Bodies.SG_1 + "']",
      "'keyName':'ops-key-2'",
      "'iamInstanceProfile':{'arn':'arn:aws:iam::123456789012:instance-profile/web-profile'}",
      "'userData':'YWJj'",
      "'tags':{'team':'web','env':'dev','cost-center':'42'}",
      "'tags':{'team':'web','env':'prod'}",
      "'tags':{'team':'web','env':'prod','cost-center':'42','x':''}",
      "'clientToken':'producer-token-2'",
  })
  void changingAnyFieldChangesTheHash(String replacement) {
    String field = replacement.substring(1, replacement.indexOf('\'', 1));
    String changed = json(Bodies.FULL.replace('"', '\'')
        .replaceFirst("'" + field + "':(\\[[^]]*]|\\{[^}]*}|'[^']*'|[0-9]+)", replacement.replace("$", "\\$")));

    assertThat(changed).isNotEqualTo(Bodies.FULL);
    assertThat(hash(changed)).isNotEqualTo(hash(Bodies.FULL));
  }

  @Test
  void leavingOutAnyOptionalFieldChangesTheHash() {
    Set<String> hashes = new HashSet<>();
    hashes.add(hash(Bodies.FULL));
    for (String field : List.of("instanceType", "subnetId", "securityGroupIds", "keyName", "iamInstanceProfile",
        "userData", "tags", "clientToken")) {
      String without = json(Bodies.FULL.replace('"', '\'')
          .replaceFirst(",'" + field + "':(\\[[^]]*]|\\{[^}]*}|'[^']*')", ""));
      assertThat(hashes.add(hash(without))).as(field).isTrue();
    }
  }

  @Test
  void requestIdIsForTracingOnlyAndTakesNoPart() {
    String retraced = Bodies.FULL.replace("req-7", "req-8");

    assertThat(retraced).isNotEqualTo(Bodies.FULL);
    assertThat(hash(retraced)).isEqualTo(hash(Bodies.FULL));
  }

  @Test
  void launchTemplateFieldsAllTakePart() {
    Set<String> hashes = new HashSet<>(List.of(
        hash(Bodies.template("'name':'web'")),
        hash(Bodies.template("'name':'web2'")),
        hash(Bodies.template("'name':'web','version':'$Latest'")),
        hash(Bodies.template("'name':'web','version':'2'")),
        hash(Bodies.template("'id':'" + Bodies.TEMPLATE_ID + "'")),
        hash(Bodies.MINIMAL)));

    assertThat(hashes).hasSize(6);
  }

  @Test
  void canonicalFormIsSortedCompactJson() {
    assertThat(RequestHash.canonicalJson(read(Bodies.FULL))).isEqualTo(json("{"
        + "'clientToken':'producer-token-1',"
        + "'iamInstanceProfile':{'name':'web-profile'},"
        + "'imageId':'" + Bodies.AMI + "',"
        + "'instanceType':'t3.micro',"
        + "'keyName':'ops-key',"
        + "'maxCount':3,"
        + "'minCount':2,"
        + "'securityGroupIds':['" + Bodies.SG_1 + "','" + Bodies.SG_2 + "'],"
        + "'subnetId':'" + Bodies.SUBNET + "',"
        + "'tags':{'cost-center':'42','env':'prod','team':'web'},"
        + "'userData':'" + Bodies.USER_DATA + "'"
        + "}"));
  }

  /**
   * Hashes are stored on instances and compared by later releases: this value must never change. If this test
   * fails, the canonical form changed and in-flight retries across a redeploy would be rejected as conflicts.
   * The values were cross-checked with Python: sha256(json.dumps(d, sort_keys=True, separators=(",", ":"),
   * ensure_ascii=False)).
   */
  @Test
  void hashOfAKnownRequestNeverChanges() {
    assertThat(hash(Bodies.FULL)).isEqualTo("ffe2424b92db2447ae829b2796157bd6e1bbece2818504fb60d814e430ae2934");
    assertThat(hash(Bodies.MINIMAL)).isEqualTo("a6b42457e51938f8368895764aa9042d2e4b28611b288afe50ae6e2e1f962d87");
  }
}
