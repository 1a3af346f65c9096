package io.launchworker.request;

import static io.launchworker.request.Bodies.json;
import static io.launchworker.request.Bodies.template;
import static io.launchworker.request.Bodies.with;
import static io.launchworker.request.RejectReason.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every bad body gets exactly one reason, and a message that names the field that is wrong. */
class RejectionTableTest {
  private static final LaunchPolicy POLICY = new LaunchPolicy(
      List.of(Bodies.AMI), List.of("t3.*", "m5.?large"), List.of(Bodies.SUBNET), 5, 1000)
      .withAllowedLaunchTemplates(List.of("web"))
      .withAllowedSecurityGroupIds(List.of(Bodies.SG_1))
      .withAllowedKeyNames(List.of("ops-*"))
      .withAllowedInstanceProfiles(List.of("web-profile"))
      .withAllowedMarkets(List.of(Market.ON_DEMAND))
      .withMaxRootVolumeGib(200)
      .withMaxShapes(2)
      .withAllowedTagKeys(List.of("team", "env", "job-*"));
  /** Enforced tags the request may not set; with the allowed keys above, any other key is refused. */
  private static final LaunchDefaults DEFAULTS = LaunchDefaults.none().withEnforcedTags(Map.of("CostCenter", "4711"));

  /** A body that every allow-list of {@link #POLICY} accepts, plus extra members. */
  private static String allowed(String members) {
    return with("'instanceType':'t3.micro','subnetId':'" + Bodies.SUBNET + "','securityGroupIds':['" + Bodies.SG_1
        + "']," + members);
  }

  record Case(String body, RejectReason reason, String messageNames) {
    @Override
    public String toString() {
      return reason + " <- " + (body == null ? "null" : body.length() > 90 ? body.substring(0, 90) + "..." : body);
    }
  }

  static List<Case> cases() {
    String fiftyOneTags = IntStream.range(0, 48).mapToObj(i -> "'k" + i + "':'v'").collect(Collectors.joining(","));
    String seventeenGroups = IntStream.range(0, 17).mapToObj(i -> String.format("'sg-%08x'", i))
        .collect(Collectors.joining(","));
    return List.of(
        new Case(null, MALFORMED_JSON, "body"),
        new Case("", MALFORMED_JSON, "body"),
        new Case(" \n\t ", MALFORMED_JSON, "body"),
        new Case("{", MALFORMED_JSON, "body"),
        new Case(json("{'imageId':'ami-0123"), MALFORMED_JSON, "body"),
        new Case(json("{'imageId':'" + Bodies.AMI + "',}"), MALFORMED_JSON, "body"),
        new Case(json("{imageId:'x'}"), MALFORMED_JSON, "body"),
        new Case("{'imageId':'" + Bodies.AMI + "'}", MALFORMED_JSON, "body"),
        new Case(json("{'imageId':'" + Bodies.AMI + "'} {}"), MALFORMED_JSON, "body"),
        new Case(json("{'imageId':'" + Bodies.AMI + "'} x"), MALFORMED_JSON, "body"),
        new Case(with("'minCount':NaN"), MALFORMED_JSON, "body"),
        new Case(with("'minCount':01"), MALFORMED_JSON, "body"),
        new Case(with("/* comment */ 'minCount':1"), MALFORMED_JSON, "body"),
        new Case(with("'minCount':1" + "0".repeat(150)), MALFORMED_JSON, "body"),
        new Case("x".repeat(262_145), BODY_TOO_LARGE, "262144"),
        new Case("[]", NOT_AN_OBJECT, "body"),
        new Case("\"ami-0123456789abcdef0\"", NOT_AN_OBJECT, "body"),
        new Case("42", NOT_AN_OBJECT, "body"),
        new Case("null", NOT_AN_OBJECT, "body"),
        new Case(with("'imageId':'" + Bodies.AMI + "'"), DUPLICATE_FIELD, "imageId"),
        new Case(with("'tags':{'env':'a','env':'b'}"), DUPLICATE_FIELD, "tags.env"),
        new Case(with("'imageID':'x'"), UNKNOWN_FIELD, "imageID"),
        new Case(with("'count':1"), UNKNOWN_FIELD, "count"),
        new Case(template("'name':'web','Version':'1'"), UNKNOWN_FIELD, "launchTemplate.Version"),
        new Case(with("'iamInstanceProfile':{'name':'web','id':'x'}"), UNKNOWN_FIELD, "iamInstanceProfile.id"),
        new Case(with("'minCount':'2'"), WRONG_TYPE, "minCount"),
        new Case(with("'minCount':1.5"), WRONG_TYPE, "minCount"),
        new Case(with("'maxCount':1.0"), WRONG_TYPE, "maxCount"),
        new Case(with("'maxCount':1e2"), WRONG_TYPE, "maxCount"),
        new Case(with("'maxCount':2147483648"), WRONG_TYPE, "maxCount"),
        new Case(with("'maxCount':true"), WRONG_TYPE, "maxCount"),
        new Case(json("{'imageId':42}"), WRONG_TYPE, "imageId"),
        new Case(json("{'imageId':null}"), WRONG_TYPE, "imageId"),
        new Case(with("'instanceType':null"), WRONG_TYPE, "instanceType"),
        new Case(with("'instanceType':['t3.micro']"), WRONG_TYPE, "instanceType"),
        new Case(json("{'launchTemplate':'lt-0123456789abcdef0'}"), WRONG_TYPE, "launchTemplate"),
        new Case(template("'name':'web','version':3"), WRONG_TYPE, "launchTemplate.version"),
        new Case(with("'securityGroupIds':'sg-12345678'"), WRONG_TYPE, "securityGroupIds"),
        new Case(with("'securityGroupIds':['sg-12345678',null]"), WRONG_TYPE, "securityGroupIds[1]"),
        new Case(with("'tags':[]"), WRONG_TYPE, "tags"),
        new Case(with("'tags':{'env':1}"), WRONG_TYPE, "tags.env"),
        new Case(with("'tags':{'env':null}"), WRONG_TYPE, "tags.env"),
        new Case(with("'userData':7"), WRONG_TYPE, "userData"),
        new Case(with("'clientToken':12345"), WRONG_TYPE, "clientToken"),
        new Case("{}", MISSING_FIELD, "imageId"),
        new Case(json("{'instanceType':'t3.micro'}"), MISSING_FIELD, "launchTemplate"),
        new Case(template(""), MISSING_FIELD, "launchTemplate.id"),
        new Case(template("'version':'1'"), MISSING_FIELD, "launchTemplate.name"),
        new Case(with("'iamInstanceProfile':{}"), MISSING_FIELD, "iamInstanceProfile.arn"),
        new Case(with("'launchTemplate':{'name':'web'}"), CONFLICTING_FIELDS, "launchTemplate"),
        new Case(template("'id':'" + Bodies.TEMPLATE_ID + "','name':'web'"), CONFLICTING_FIELDS,
            "launchTemplate.name"),
        new Case(with("'iamInstanceProfile':{'arn':'arn:aws:iam::123456789012:instance-profile/w','name':'w'}"),
            CONFLICTING_FIELDS, "iamInstanceProfile.arn"),
        new Case(json("{'imageId':''}"), INVALID_VALUE, "imageId"),
        new Case(json("{'imageId':'ami-123'}"), INVALID_VALUE, "imageId"),
        new Case(json("{'imageId':'ami-0123456789ABCDEF0'}"), INVALID_VALUE, "imageId"),
        new Case(json("{'imageId':'ami-01234567\\u0000'}"), INVALID_VALUE, "imageId"),
        new Case(with("'instanceType':'t3micro'"), INVALID_VALUE, "instanceType"),
        new Case(with("'instanceType':'T3.micro'"), INVALID_VALUE, "instanceType"),
        new Case(with("'subnetId':'sub-12345678'"), INVALID_VALUE, "subnetId"),
        new Case(with("'securityGroupIds':['sg-12345678','default']"), INVALID_VALUE, "securityGroupIds[1]"),
        new Case(with("'securityGroupIds':['sg-12345678','sg-87654321','sg-12345678']"), INVALID_VALUE,
            "securityGroupIds[2]"),
        new Case(with("'securityGroupIds':[" + seventeenGroups + "]"), INVALID_VALUE, "securityGroupIds"),
        new Case(template("'id':'lt-xyz'"), INVALID_VALUE, "launchTemplate.id"),
        new Case(template("'name':'a b'"), INVALID_VALUE, "launchTemplate.name"),
        new Case(template("'name':'web','version':'latest'"), INVALID_VALUE, "launchTemplate.version"),
        new Case(template("'name':'web','version':'0'"), INVALID_VALUE, "launchTemplate.version"),
        new Case(with("'keyName':'" + "k".repeat(256) + "'"), INVALID_VALUE, "keyName"),
        new Case(with("'keyName':'ops\\tkey'"), INVALID_VALUE, "keyName"),
        new Case(with("'keyName':'ops\\u2066key'"), INVALID_VALUE, "keyName: contains U+2066 (left-to-right isolate)"),
        new Case(with("'keyName':'\\ufeffops-key'"), INVALID_VALUE, "keyName: contains U+FEFF"),
        new Case(with("'keyName':'ops\\u0085key'"), INVALID_VALUE, "keyName: contains U+0085 (C1 control character)"),
        new Case(with("'iamInstanceProfile':{'arn':'web'}"), INVALID_VALUE, "iamInstanceProfile.arn"),
        new Case(with("'requestId':'" + "r".repeat(129) + "'"), INVALID_VALUE, "requestId"),
        new Case(with("'requestId':'réq'"), INVALID_VALUE, "requestId"),
        new Case(with("'userData':''"), INVALID_VALUE, "userData"),
        new Case(with("'minCount':0"), INVALID_COUNT, "minCount"),
        new Case(with("'maxCount':-1"), INVALID_COUNT, "maxCount"),
        new Case(with("'minCount':3,'maxCount':2"), COUNT_ORDER, "maxCount"),
        new Case(with("'minCount':2"), COUNT_ORDER, "minCount"),
        new Case(with("'clientToken':''"), INVALID_CLIENT_TOKEN, "clientToken"),
        new Case(with("'clientToken':'" + "t".repeat(65) + "'"), INVALID_CLIENT_TOKEN, "clientToken"),
        new Case(with("'clientToken':'tökén'"), INVALID_CLIENT_TOKEN, "clientToken"),
        new Case(with("'clientToken':'tok\\nen'"), INVALID_CLIENT_TOKEN, "clientToken"),
        new Case(with("'userData':'not base64!'"), USER_DATA_NOT_BASE64, "userData"),
        new Case(with("'userData':'YWJj\\nZGVm'"), USER_DATA_NOT_BASE64, "userData"),
        new Case(with("'userData':'YWJj ZGVm'"), USER_DATA_NOT_BASE64, "userData"),
        new Case(with("'userData':'YQ'"), USER_DATA_NOT_BASE64, "userData"),
        new Case(with("'userData':'YWJj-_8='"), USER_DATA_NOT_BASE64, "userData"),
        new Case(with("'userData':'" + java.util.Base64.getEncoder().encodeToString(new byte[16_385]) + "'"),
            USER_DATA_TOO_LARGE, "userData"),
        new Case(with("'tags':{" + fiftyOneTags + "}"), TOO_MANY_TAGS, "tags"),
        new Case(with("'tags':{'aws:cloudformation:stack-name':'x'}"), RESERVED_TAG_KEY, "tags"),
        new Case(with("'tags':{'AWS:thing':'x'}"), RESERVED_TAG_KEY, "AWS:thing"),
        new Case(with("'tags':{'launch-worker:token':'x'}"), RESERVED_TAG_KEY, "launch-worker:token"),
        new Case(with("'tags':{'':'x'}"), INVALID_TAG, "tags"),
        new Case(with("'tags':{'" + "k".repeat(129) + "':'x'}"), INVALID_TAG, "tags"),
        new Case(with("'tags':{'env':'" + "v".repeat(257) + "'}"), INVALID_TAG, "tags.env"),
        new Case(with("'tags':{'env':'pr\\u0007od'}"), INVALID_TAG, "tags.env"),
        new Case(with("'tags':{'e\\u001bnv':'prod'}"), INVALID_TAG, "tags"),
        new Case(with("'tags':{'x':'abc\\u202Ed'}"), INVALID_TAG,
            "tags.x: value contains U+202E (right-to-left override) at position 3"),
        new Case(with("'tags':{'env\\u200b':'prod'}"), INVALID_TAG, "key contains U+200B (zero width space)"),
        new Case(with("'tags':{'env':'pro\\u009bd'}"), INVALID_TAG, "tags.env: value contains U+009B"),
        new Case(template("'name':'db-fleet'"), LAUNCH_TEMPLATE_NOT_ALLOWED, "launchTemplate.name"),
        new Case(template("'id':'" + Bodies.TEMPLATE_ID + "'"), LAUNCH_TEMPLATE_NOT_ALLOWED, "launchTemplate.id"),
        new Case(json("{'imageId':'ami-fedcba9876543210f'}"), IMAGE_NOT_ALLOWED, "imageId"),
        new Case(with("'subnetId':'" + Bodies.SUBNET + "'"), INSTANCE_TYPE_REQUIRED, "instanceType"),
        new Case(with("'instanceType':'t3a.micro'"), INSTANCE_TYPE_NOT_ALLOWED, "instanceType"),
        new Case(with("'instanceType':'m5.2xlarge'"), INSTANCE_TYPE_NOT_ALLOWED, "instanceType"),
        new Case(with("'instanceType':'t3.micro'"), SUBNET_REQUIRED, "subnetId"),
        new Case(with("'instanceType':'t3.micro','subnetId':'subnet-fedcba98'"), SUBNET_NOT_ALLOWED, "subnetId"),
        new Case(with("'instanceType':'t3.micro','subnetId':'" + Bodies.SUBNET + "'"), SECURITY_GROUP_REQUIRED,
            "securityGroupIds"),
        new Case(with("'instanceType':'t3.micro','subnetId':'" + Bodies.SUBNET + "','securityGroupIds':['"
            + Bodies.SG_1 + "','" + Bodies.SG_2 + "']"), SECURITY_GROUP_NOT_ALLOWED, "securityGroupIds[1]"),
        new Case(allowed("'keyName':'prod-admin'"), KEY_NAME_NOT_ALLOWED, "keyName"),
        new Case(allowed("'iamInstanceProfile':{'name':'admin'}"), INSTANCE_PROFILE_NOT_ALLOWED,
            "iamInstanceProfile.name"),
        new Case(allowed("'iamInstanceProfile':{'arn':'arn:aws:iam::123456789012:instance-profile/admin'}"),
            INSTANCE_PROFILE_NOT_ALLOWED, "iamInstanceProfile.arn"),
        new Case(allowed("'maxCount':6"), TOO_MANY_INSTANCES, "maxCount"),
        // Capacity-aware launches: lists of types and subnets, markets, the root volume.
        new Case(with("'instanceType':'t3.micro','instanceTypes':['t3.small']"), CONFLICTING_FIELDS,
            "instanceType, instanceTypes"),
        new Case(with("'subnetId':'" + Bodies.SUBNET + "','subnetIds':['" + Bodies.SUBNET + "']"),
            CONFLICTING_FIELDS, "subnetId, subnetIds"),
        new Case(with("'instanceTypes':[]"), INVALID_VALUE, "instanceTypes"),
        new Case(with("'instanceTypes':['t3.micro','T3.small']"), INVALID_VALUE, "instanceTypes[1]"),
        new Case(with("'instanceTypes':['t3.micro','t3.micro']"), INVALID_VALUE, "instanceTypes[1]"),
        new Case(with("'subnetIds':['subnet-1']"), INVALID_VALUE, "subnetIds[0]"),
        new Case(with("'instanceTypes':'t3.micro'"), WRONG_TYPE, "instanceTypes"),
        new Case(with("'market':'Spot'"), INVALID_VALUE, "market"),
        new Case(with("'market':'spot','spotMaxPrice':'-1'"), INVALID_VALUE, "spotMaxPrice"),
        new Case(with("'market':'spot','spotMaxPrice':0.05"), WRONG_TYPE, "spotMaxPrice"),
        new Case(with("'spotMaxPrice':'0.05'"), CONFLICTING_FIELDS, "spotMaxPrice"),
        new Case(with("'rootVolume':{'sizeGiB':16385}"), INVALID_VALUE, "rootVolume.sizeGiB"),
        new Case(with("'rootVolume':{'type':'io2'}"), INVALID_VALUE, "rootVolume.type"),
        new Case(with("'rootVolume':{'deviceName':'sda1 '}"), INVALID_VALUE, "rootVolume.deviceName"),
        new Case(with("'rootVolume':{'encrypted':1}"), WRONG_TYPE, "rootVolume.encrypted"),
        new Case(with("'rootVolume':{'iops':3000}"), UNKNOWN_FIELD, "rootVolume.iops"),
        new Case(json("{'launchTemplate':{'name':'web'},'rootVolume':{'sizeGiB':8}}"), MISSING_FIELD,
            "rootVolume.deviceName"),
        new Case(with("'instanceTypes':['t3.micro','c5.large'],'subnetId':'" + Bodies.SUBNET
            + "','securityGroupIds':['" + Bodies.SG_1 + "']"), INSTANCE_TYPE_NOT_ALLOWED, "instanceTypes[1]"),
        new Case(with("'instanceType':'t3.micro','subnetIds':['" + Bodies.SUBNET + "','subnet-0bbb2222'],"
            + "'securityGroupIds':['" + Bodies.SG_1 + "']"), SUBNET_NOT_ALLOWED, "subnetIds[1]"),
        new Case(allowed("'market':'spot-then-on-demand'"), MARKET_NOT_ALLOWED, "market"),
        new Case(allowed("'rootVolume':{'sizeGiB':201}"), ROOT_VOLUME_TOO_LARGE, "rootVolume.sizeGiB"),
        new Case(allowed("'rootVolume':{'encrypted':false}"), UNENCRYPTED_VOLUME, "rootVolume.encrypted"),
        new Case(json("{'launchTemplate':{'name':'web'},'rootVolume':{'deviceName':'/dev/xvda','encrypted':false}}"),
            UNENCRYPTED_VOLUME, "rootVolume.encrypted"),
        new Case(allowed("'tags':{'team':'ci','CostCenter':'0000'}"), ENFORCED_TAG, "tags.CostCenter"),
        new Case(allowed("'tags':{'costcenter':'0000'}"), ENFORCED_TAG, "(as \"CostCenter\")"),
        new Case(allowed("'tags':{'team':'ci','owner':'me'}"), TAG_KEY_NOT_ALLOWED, "tags.owner"),
        new Case(allowed("'tags':{'job':'17'}"), TAG_KEY_NOT_ALLOWED, "allowed: team, env, job-*"),
        new Case(with("'instanceTypes':['t3.micro','t3.small','t3.medium'],'subnetId':'" + Bodies.SUBNET
            + "','securityGroupIds':['" + Bodies.SG_1 + "']"), TOO_MANY_SHAPES, "3 launch shapes"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void badBodyIsRejectedWithItsReasonAndAMessageNamingTheField(Case c) {
    ReadResult result = new RequestReader(POLICY, DEFAULTS).read(c.body());

    assertThat(result).isInstanceOf(ReadResult.Rejected.class);
    Rejection rejection = ((ReadResult.Rejected) result).rejection();
    assertThat(rejection.reason()).as(rejection.message()).isEqualTo(c.reason().code());
    assertThat(rejection.message()).contains(c.messageNames());
  }

  @Test
  void aBodyEveryAllowListAcceptsIsAccepted() {
    assertThat(new RequestReader(POLICY, DEFAULTS).read(
        allowed("'keyName':'ops-key','iamInstanceProfile':{'name':'web-profile'}")))
        .isInstanceOf(ReadResult.Accepted.class);
    assertThat(new RequestReader(POLICY, DEFAULTS).read(template("'name':'web'")))
        .isInstanceOf(ReadResult.Accepted.class);
  }

  @Test
  void everyRejectReasonIsCoveredByTheTable() {
    Set<RejectReason> covered = cases().stream().map(Case::reason).collect(Collectors.toSet());

    // The image's root device is known only after DescribeImages: the launch stage decides root_device_mismatch
    // (LaunchHandlerShapesTest, VolumesAndEnforcedTagsTest).
    assertThat(covered).containsExactlyInAnyOrderElementsOf(
        EnumSet.complementOf(EnumSet.of(ROOT_DEVICE_MISMATCH)));
  }

  @Test
  void messagesSayWhatIsAllowed() {
    List<String> messages = cases().stream()
        .map(c -> new RequestReader(POLICY, DEFAULTS).read(c.body()))
        .map(r -> ((ReadResult.Rejected) r).rejection().message())
        .filter(m -> !m.startsWith("body: not valid JSON"))
        .collect(Collectors.toList());

    assertThat(messages).allSatisfy(m -> assertThat(m).containsAnyOf("allowed", "expected"));
  }

  @Test
  void unknownFieldSuggestsTheFieldItProbablyMeant() {
    Rejection r = reject(with("'instancetype':'t3.micro'"));

    assertThat(r.message()).contains("did you mean instanceType?");
  }

  @Test
  void wrongTypeMessageShowsTheTypeAndValueThatCame() {
    assertThat(reject(with("'minCount':'2'")).message())
        .isEqualTo("minCount: expected an integer, got string \"2\"");
  }

  @Test
  void longBadValuesAreTruncatedInMessages() {
    String message = reject(json("{'imageId':'ami-" + "z".repeat(5_000) + "'}")).message();

    assertThat(message).hasSizeLessThan(300).contains("(5004 characters)");
  }

  @Test
  void controlCharactersInBadValuesAreEscapedInMessages() {
    String message = reject(with("'minCount':'a\\u001b[31mb'")).message();

    assertThat(message).contains("\\u001B").doesNotContain("\u001b");
  }

  @Test
  void bidiZeroWidthAndC1CharactersInQuotedValuesAreEscapedInMessages() {
    String message = reject(with("'minCount':'1\\u202e2\\u200b3\\u00854\\uffff'")).message();

    assertThat(message).isEqualTo("minCount: expected an integer, got string \"1\\u202E2\\u200B3\\u00854\\uFFFF\"");
  }

  @Test
  void aRefusedCharacterIsNamedByItsCodePointAndNeverEchoed() {
    String message = reject(with("'keyName':'a\\u001b[31mb'")).message();

    assertThat(message).startsWith("keyName: contains U+001B (control character) at position 1;")
        .doesNotContain("\u001b").doesNotContain("[31m");
  }

  private static Rejection reject(String body) {
    ReadResult result = new RequestReader(LaunchPolicy.permissive()).read(body);
    assertThat(result).isInstanceOf(ReadResult.Rejected.class);
    return ((ReadResult.Rejected) result).rejection();
  }
}
