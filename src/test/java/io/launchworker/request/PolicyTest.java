package io.launchworker.request;

import static io.launchworker.request.Bodies.with;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PolicyTest {

  @ParameterizedTest(name = "{0} matches {1}: {2}")
  @CsvSource({
      "t3.*,       t3.micro,     true",
      "t3.*,       t3.2xlarge,   true",
      "t3.*,       t3a.micro,    false",
      "t3.*,       xt3.micro,    false",
      "t3*,        t3a.micro,    true",
      "m5.?large,  m5.xlarge,    true",
      "m5.?large,  m5.large,     false",
      "m5.?large,  m5.12xlarge,  false",
      "*,          u-6tb1.metal, true",
      "c7i-flex.*, c7i-flex.large, true",
      "t3.micro,   t3.micro,     true",
      "t3.micro,   t3.microx,    false",
      "t3.[a-z]*,  t3.micro,     false",
      "t3.+,       t3.micro,     false",
  })
  void instanceTypeGlobMatchesLiterallyExceptStarAndQuestionMark(String glob, String type, boolean matches) {
    assertThat(new Glob(glob).matches(type)).isEqualTo(matches);
  }

  @Test
  void starAllowListsAllowAnythingAlsoForTheExactIdLists() {
    RequestReader reader = new RequestReader(LaunchPolicy.permissive().withMaxShapes(20));

    assertThat(reader.read(with("'instanceType':'p5.48xlarge','subnetId':'subnet-fedcba98','securityGroupIds':"
        + "['sg-fedcba98'],'keyName':'any-key','iamInstanceProfile':{'name':'any-profile'},'maxCount':10")))
        .isInstanceOf(ReadResult.Accepted.class);
  }

  /** Issue 19, item 1: an empty list meant "any"; a fresh install with no lists launched whatever it was sent. */
  @ParameterizedTest(name = "{0} empty refuses {1}")
  @CsvSource(delimiter = '|', value = {
      "images          | 'instanceType':'t3.micro','subnetId':'subnet-fedcba98'       | image_not_allowed",
      "instance types  | 'instanceType':'t3.micro','subnetId':'subnet-fedcba98'       | instance_type_not_allowed",
      "instance types  | 'subnetId':'subnet-fedcba98'                                 | instance_type_required",
      "subnets         | 'instanceType':'t3.micro','subnetId':'subnet-fedcba98'       | subnet_not_allowed",
      "subnets         | 'instanceType':'t3.micro'                                    | subnet_required",
      "security groups | 'instanceType':'t3.micro','securityGroupIds':['sg-fedcba98'] | security_group_not_allowed",
      "security groups | 'instanceType':'t3.micro'                                    | security_group_required",
      "key pairs       | 'instanceType':'t3.micro','keyName':'ci'                     | key_name_not_allowed",
      "profiles        | 'instanceType':'t3.micro','iamInstanceProfile':{'name':'ci'} | instance_profile_not_allowed",
  })
  void anEmptyAllowListAllowsNothing(String list, String members, String reason) {
    List<String> any = List.of("*");
    List<String> none = List.of();
    LaunchPolicy policy = new LaunchPolicy(list.equals("images") ? none : any,
        list.equals("instance types") ? none : any, list.equals("subnets") ? none : any, 10, 1000, List.of(),
        list.equals("security groups") ? none : any, list.equals("key pairs") ? none : any,
        list.equals("profiles") ? none : any);

    ReadResult result = new RequestReader(policy).read(with(members));

    assertThat(result).isInstanceOf(ReadResult.Rejected.class);
    Rejection r = ((ReadResult.Rejected) result).rejection();
    assertThat(r.reason()).isEqualTo(reason);
    assertThat(r.message()).contains("allowed: none (allowed-").contains(" is empty)");
  }

  @Test
  void anEmptyMarketListAllowsNoMarket() {
    RequestReader reader = new RequestReader(LaunchPolicy.permissive().withAllowedMarkets(List.of()));

    Rejection r = ((ReadResult.Rejected) reader.read(with("'instanceType':'t3.micro'"))).rejection();

    assertThat(r.reason()).isEqualTo("market_not_allowed");
    assertThat(r.message()).contains("allowed markets: none (allowed-markets is empty)");
  }

  @Test
  void aListThatAllowsEverythingLetsEc2ChooseWhatARequestLeavesOut() {
    RequestReader reader = new RequestReader(LaunchPolicy.permissive());

    assertThat(reader.read(Bodies.MINIMAL)).as("no type, subnet or group, and each list is [\"*\"]")
        .isInstanceOf(ReadResult.Accepted.class);
  }

  @Test
  void launchTemplateRequestIsNotCheckedAgainstTheImageAllowList() {
    RequestReader reader = new RequestReader(
        new LaunchPolicy(List.of("ami-fedcba98"), List.of(), List.of(), 1, 1000).withAllowedLaunchTemplates(
            List.of("web")));

    assertThat(reader.read(Bodies.template("'name':'web'"))).isInstanceOf(ReadResult.Accepted.class);
  }

  @Test
  void maxCountAtTheCapIsAllowed() {
    RequestReader reader = new RequestReader(new LaunchPolicy(List.of("*"), List.of("*"), List.of("*"), 3, 1000));

    assertThat(reader.read(with("'maxCount':3"))).isInstanceOf(ReadResult.Accepted.class);
    assertThat(reader.read(with("'maxCount':4"))).isInstanceOf(ReadResult.Rejected.class);
  }

  /** Issue 17, case 6: 10 types x 16 subnets x spot-then-on-demand was 320 RunInstances calls per receive. */
  @Test
  void theLargestRequestIsRejectedAsTooManyShapesByDefaultSayingHowManyTheLimitAndTheKey() {
    String types = IntStream.range(0, 10).mapToObj(i -> "'c" + (i + 1) + ".large'").collect(Collectors.joining(","));
    String subnets = IntStream.range(0, 16).mapToObj(i -> String.format("'subnet-%08x'", i))
        .collect(Collectors.joining(","));
    String body = with("'instanceTypes':[" + types + "],'subnetIds':[" + subnets + "],'market':'spot-then-on-demand'");
    RequestReader reader = new RequestReader(new LaunchPolicy(List.of("*"), List.of("*"), List.of("*"), 10, 1000));

    ReadResult.Rejected rejected = (ReadResult.Rejected) reader.read(body);

    assertThat(rejected.rejection().reason()).isEqualTo("too_many_shapes");
    assertThat(rejected.rejection().message()).isEqualTo("instanceTypes, subnetIds, market: 320 launch shapes "
        + "(10 instance types x 16 subnets x 2 markets), each one RunInstances call when capacity is short; "
        + "allowed: at most 20 (launcher.policy.max-shapes)");
    assertThat(LaunchShape.walk(rejected.request().orElseThrow(), LaunchDefaults.none()))
        .as("counted as the launch walks them").hasSize(320).hasSize(LaunchShape.MOST_PER_REQUEST);
    assertThat(new RequestReader(new LaunchPolicy(List.of("*"), List.of("*"), List.of("*"), 10, 1000)
        .withMaxShapes(LaunchShape.MOST_PER_REQUEST)).read(body))
        .as("the highest cap lets every valid request through").isInstanceOf(ReadResult.Accepted.class);
  }

  @ParameterizedTest(name = "{0} types x {1} subnets x {2}: {3} shapes")
  @CsvSource({
      "5, 2, spot-then-on-demand, 20, true",
      "10, 2, on-demand,          20, true",
      "7, 3, spot,                21, false",
      "3, 4, spot-then-on-demand, 24, false",
      "1, 1, spot-then-on-demand,  2, true",
  })
  void theShapeCapCountsMarketsTimesTypesTimesSubnets(int types, int subnets, String market, int shapes,
      boolean accepted) {
    String body = with("'instanceTypes':[" + IntStream.range(0, types).mapToObj(i -> "'m" + (i + 1) + ".large'")
        .collect(Collectors.joining(",")) + "],'subnetIds':[" + IntStream.range(0, subnets)
        .mapToObj(i -> String.format("'subnet-%08x'", i)).collect(Collectors.joining(",")) + "],'market':'"
        + market + "'");

    ReadResult result = new RequestReader(LaunchPolicy.permissive()).read(body);

    assertThat(result instanceof ReadResult.Accepted).as(result.toString()).isEqualTo(accepted);
    if (!accepted) {
      assertThat(((ReadResult.Rejected) result).rejection().message()).contains(shapes + " launch shapes")
          .contains("at most 20 (launcher.policy.max-shapes)");
    }
  }

  @Test
  void theShapeCapCountsTheConfiguredDefaultsAsTheLaunchDoes() {
    LaunchDefaults defaults = new LaunchDefaults(Optional.of("t3.micro"), Optional.of("subnet-0123abcd"), List.of(),
        Map.of());
    RequestReader reader = new RequestReader(LaunchPolicy.permissive().withMaxShapes(2), defaults);

    assertThat(reader.read(with("'market':'spot-then-on-demand'")))
        .as("the default type in the default subnet on both markets: 2 shapes").isInstanceOf(ReadResult.Accepted.class);
    Rejection r = ((ReadResult.Rejected) reader.read(with("'instanceTypes':['t3.micro','t3.small'],"
        + "'market':'spot-then-on-demand'"))).rejection();
    assertThat(r.reason()).isEqualTo("too_many_shapes");
    assertThat(r.message()).contains("4 launch shapes (2 instance types x 1 subnet x 2 markets)");
  }

  @Test
  void notAllowedMessageListsWhatIsAllowed() {
    RequestReader reader =
        new RequestReader(new LaunchPolicy(List.of("*"), List.of("t3.*", "m5.*"), List.of("*"), 1, 1000));

    Rejection r = ((ReadResult.Rejected) reader.read(with("'instanceType':'p5.48xlarge'"))).rejection();

    assertThat(r.reason()).isEqualTo("instance_type_not_allowed");
    assertThat(r.message()).isEqualTo("instanceType: got \"p5.48xlarge\"; allowed: t3.*, m5.*");
  }

  @Test
  void anUnencryptedRootVolumeIsRejectedByDefaultTemplatesIncludedAndAllowedOnlyWhenConfigured() {
    String image = with("'rootVolume':{'sizeGiB':50,'encrypted':false}");
    String template = Bodies.json("{'launchTemplate':{'name':'web'},'rootVolume':{'deviceName':'/dev/xvda',"
        + "'encrypted':false}}");
    LaunchPolicy secure = LaunchPolicy.permissive();

    for (String body : List.of(image, template)) {
      Rejection r = ((ReadResult.Rejected) new RequestReader(secure).read(body)).rejection();
      assertThat(r.reason()).as(body).isEqualTo("unencrypted_volume");
      assertThat(r.message()).as(body).isEqualTo("rootVolume.encrypted: got false; allowed: true, or leave it out "
          + "(launcher.policy.require-encrypted-volumes is on)");
      assertThat(new RequestReader(secure.withRequireEncryptedVolumes(false)).read(body)).as(body)
          .isInstanceOf(ReadResult.Accepted.class);
    }
    assertThat(new RequestReader(secure).read(with("'rootVolume':{'sizeGiB':50}"))).as("encrypted unless told")
        .isInstanceOf(ReadResult.Accepted.class);
  }
}
