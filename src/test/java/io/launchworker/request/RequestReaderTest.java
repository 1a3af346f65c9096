package io.launchworker.request;

import static io.launchworker.request.Bodies.AMI;
import static io.launchworker.request.Bodies.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RequestReaderTest {
  private final RequestReader reader = new RequestReader(LaunchPolicy.permissive());

  private LaunchRequest accepted(String body) {
    ReadResult result = reader.read(body);
    assertThat(result).isInstanceOf(ReadResult.Accepted.class);
    return ((ReadResult.Accepted) result).request();
  }

  @Test
  void fullRequestRoundTripsEveryField() {
    LaunchRequest r = accepted(Bodies.FULL);

    assertThat(r).isEqualTo(new LaunchRequest(
        Optional.of(AMI),
        Optional.empty(),
        Optional.of("t3.micro"),
        2,
        3,
        Optional.of(Bodies.SUBNET),
        List.of(Bodies.SG_1, Bodies.SG_2),
        Optional.of("ops-key"),
        Optional.of(new InstanceProfileRef(Optional.empty(), Optional.of("web-profile"))),
        Optional.of(Bodies.USER_DATA),
        Map.of("team", "web", "env", "prod", "cost-center", "42"),
        Optional.of("producer-token-1"),
        Optional.of("req-7")));
    assertThat(r.tags().keySet()).containsExactly("team", "env", "cost-center");
  }

  @Test
  void minimalRequestGetsCountsOfOneAndNothingElse() {
    LaunchRequest r = accepted(Bodies.MINIMAL);

    assertThat(r.minCount()).isEqualTo(1);
    assertThat(r.maxCount()).isEqualTo(1);
    assertThat(r.launchTemplate()).isEmpty();
    assertThat(r.instanceType()).isEmpty();
    assertThat(r.subnetId()).isEmpty();
    assertThat(r.securityGroupIds()).isEmpty();
    assertThat(r.keyName()).isEmpty();
    assertThat(r.iamInstanceProfile()).isEmpty();
    assertThat(r.userData()).isEmpty();
    assertThat(r.tags()).isEmpty();
    assertThat(r.clientToken()).isEmpty();
    assertThat(r.requestId()).isEmpty();
  }

  @Test
  void countsDefaultIndependently() {
    assertThat(accepted(Bodies.with("'maxCount':4")).minCount()).isEqualTo(1);
    assertThat(accepted(Bodies.with("'maxCount':4")).maxCount()).isEqualTo(4);
  }

  @Test
  void launchTemplateByNameDefaultsToTheDefaultVersion() {
    LaunchRequest r = accepted(Bodies.template("'name':'web-fleet'"));

    assertThat(r.imageId()).isEmpty();
    assertThat(r.launchTemplate()).contains(new LaunchTemplateRef(Optional.empty(), Optional.of("web-fleet"),
        "$Default"));
  }

  @Test
  void launchTemplateByIdKeepsTheVersionAsSent() {
    assertThat(accepted(Bodies.template("'id':'" + Bodies.TEMPLATE_ID + "','version':'$Latest'")).launchTemplate())
        .contains(new LaunchTemplateRef(Optional.of(Bodies.TEMPLATE_ID), Optional.empty(), "$Latest"));
    assertThat(accepted(Bodies.template("'id':'" + Bodies.TEMPLATE_ID + "','version':'12'")).launchTemplate()
        .orElseThrow().version()).isEqualTo("12");
  }

  @Test
  void instanceProfileByArnIsAccepted() {
    String arn = "arn:aws:iam::123456789012:instance-profile/web";
    assertThat(accepted(Bodies.with("'iamInstanceProfile':{'arn':'" + arn + "'}")).iamInstanceProfile())
        .contains(new InstanceProfileRef(Optional.of(arn), Optional.empty()));
  }

  @Test
  void whitespaceAroundTheObjectIsAccepted() {
    assertThat(accepted("\n  " + Bodies.MINIMAL + "\r\n\t ")).isEqualTo(accepted(Bodies.MINIMAL));
  }

  @Test
  void emptyListsAndMapsMeanNone() {
    LaunchRequest r = accepted(Bodies.with("'securityGroupIds':[],'tags':{}"));

    assertThat(r).isEqualTo(accepted(Bodies.MINIMAL));
  }

  @Test
  void tagValuesMayBeEmptyAndUnicode() {
    assertThat(accepted(Bodies.with("'tags':{'note':'','owner':'Zoë 🚀'}")).tags())
        .containsExactly(Map.entry("note", ""), Map.entry("owner", "Zoë 🚀"));
  }

  @Test
  void fortySevenTagsAreAcceptedLeavingRoomForTheWorkersThree() {
    String tags = IntStream.range(0, 47).mapToObj(i -> "'k" + i + "':'v'").collect(Collectors.joining(","));
    assertThat(accepted(Bodies.with("'tags':{" + tags + "}")).tags()).hasSize(47);
  }

  @Test
  void clientTokenOfSixtyFourPrintableCharactersIsAccepted() {
    String token = "a b~!".repeat(12) + "1234";
    assertThat(accepted(Bodies.with("'clientToken':'" + token + "'")).clientToken()).contains(token);
  }

  @Test
  void userDataOfExactlySixteenKibibytesIsAccepted() {
    String userData = java.util.Base64.getEncoder().encodeToString(new byte[16_384]);
    assertThat(accepted(Bodies.with("'userData':'" + userData + "'")).userData()).contains(userData);
  }

  @Test
  void oneReaderServesManyThreadsAtOnce() {
    List<ReadResult> results = IntStream.range(0, 2_000).parallel()
        .mapToObj(i -> reader.read(i % 2 == 0 ? Bodies.FULL : json("{'imageId':" + i + "}")))
        .collect(Collectors.toList());

    for (int i = 0; i < results.size(); i++) {
      assertThat(results.get(i)).isInstanceOf(i % 2 == 0 ? ReadResult.Accepted.class : ReadResult.Rejected.class);
    }
  }
}
