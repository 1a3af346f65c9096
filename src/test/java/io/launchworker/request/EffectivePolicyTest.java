package io.launchworker.request;

import static io.launchworker.request.Bodies.AMI;
import static io.launchworker.request.Bodies.SG_1;
import static io.launchworker.request.Bodies.SG_2;
import static io.launchworker.request.Bodies.SUBNET;
import static io.launchworker.request.Bodies.TEMPLATE_ID;
import static io.launchworker.request.Bodies.json;
import static io.launchworker.request.Bodies.template;
import static io.launchworker.request.Bodies.with;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;

/**
 * The allow-lists check what EC2 will get, configured defaults included, and refuse to leave a restricted field
 * to EC2's own choice; launch templates are refused unless listed.
 */
class EffectivePolicyTest {
  private static final String OTHER_SUBNET = "subnet-0fedcba9876543210";
  private static final String OTHER_SG = "sg-0fedcba9876543210";
  private static final LaunchPolicy TYPES_AND_SUBNETS =
      new LaunchPolicy(List.of("*"), List.of("t3.*"), List.of(SUBNET), 10, 1000);

  private static ReadResult read(LaunchPolicy policy, LaunchDefaults defaults, String body) {
    return new RequestReader(policy, defaults).read(body);
  }

  private static ReadResult read(LaunchPolicy policy, String body) {
    return read(policy, LaunchDefaults.none(), body);
  }

  private static LaunchDefaults defaults(String instanceType, String subnet, List<String> groups) {
    return new LaunchDefaults(Optional.ofNullable(instanceType), Optional.ofNullable(subnet), groups, Map.of());
  }

  /** The reason of a rejection that still carries the parsed request, as the launch handler needs. */
  private static Rejection refused(ReadResult result) {
    assertThat(result).isInstanceOf(ReadResult.Rejected.class);
    ReadResult.Rejected rejected = (ReadResult.Rejected) result;
    assertThat(rejected.request()).as("a policy rejection keeps the parsed request for the look-up").isPresent();
    return rejected.rejection();
  }

  @Test
  void aRequestWithoutInstanceTypeAndNoDefaultIsRefusedWhenTypesAreRestricted() {
    Rejection r = refused(read(TYPES_AND_SUBNETS, with("'subnetId':'" + SUBNET + "'")));

    assertThat(r.reason()).isEqualTo("instance_type_required");
    assertThat(r.message()).startsWith("instanceType: missing").contains("allowed: t3.*")
        .contains("EC2 would launch its own default type");
  }

  @Test
  void aRequestWithoutInstanceTypeGetsTheDefaultWhichIsWhatTheListChecks() {
    LaunchDefaults t3 = defaults("t3.micro", SUBNET, List.of());
    LaunchDefaults m5 = defaults("m5.large", SUBNET, List.of());

    assertThat(read(TYPES_AND_SUBNETS, t3, Bodies.MINIMAL)).isInstanceOf(ReadResult.Accepted.class);
    Rejection r = refused(read(TYPES_AND_SUBNETS, m5, Bodies.MINIMAL));
    assertThat(r.reason()).isEqualTo("instance_type_not_allowed");
    assertThat(r.message()).isEqualTo("instanceType (the configured default): got \"m5.large\"; allowed: t3.*");
  }

  @Test
  void withEveryValueAllowedOnAFieldLeavingItOutIsStillAllowed() {
    assertThat(read(new LaunchPolicy(List.of("*"), List.of("*"), List.of("*"), 10, 1000), Bodies.MINIMAL))
        .isInstanceOf(ReadResult.Accepted.class);
  }

  @Test
  void withAnEmptyListLeavingTheFieldOutIsRefusedSinceEc2WouldChooseWhatNothingAllows() {
    Rejection r = refused(read(new LaunchPolicy(List.of("*"), List.of(), List.of("*"), 10, 1000), Bodies.MINIMAL));

    assertThat(r.reason()).isEqualTo("instance_type_required");
    assertThat(r.message()).contains("allowed: none (allowed-instance-types is empty)");
  }

  @Test
  void aRequestWithoutSubnetAndNoDefaultIsRefusedWhenSubnetsAreRestricted() {
    Rejection r = refused(read(TYPES_AND_SUBNETS, with("'instanceType':'t3.micro'")));

    assertThat(r.reason()).isEqualTo("subnet_required");
    assertThat(r.message()).startsWith("subnetId: missing").contains("allowed: " + SUBNET)
        .contains("default VPC");
  }

  @Test
  void theDefaultSubnetIsCheckedToo() {
    Rejection r = refused(read(TYPES_AND_SUBNETS, defaults("t3.micro", OTHER_SUBNET, List.of()), Bodies.MINIMAL));

    assertThat(r.reason()).isEqualTo("subnet_not_allowed");
    assertThat(r.message()).startsWith("subnetId (the configured default): got \"" + OTHER_SUBNET + "\"");
  }

  @Test
  void aRequestsOwnValuesWinOverDefaultsAndAreTheOnesChecked() {
    LaunchDefaults allowedDefaults = defaults("t3.micro", SUBNET, List.of());

    assertThat(refused(read(TYPES_AND_SUBNETS, allowedDefaults, with("'instanceType':'m5.large'"))).reason())
        .isEqualTo("instance_type_not_allowed");
    assertThat(refused(read(TYPES_AND_SUBNETS, allowedDefaults, with("'subnetId':'" + OTHER_SUBNET + "'")))
        .reason()).isEqualTo("subnet_not_allowed");
  }

  @Test
  void launchTemplatesAreRefusedWhenNoneIsConfiguredByIdAndByName() {
    LaunchPolicy policy = new LaunchPolicy(List.of(), List.of(), List.of(), 10, 1000);

    Rejection byName = refused(read(policy, template("'name':'web'")));
    Rejection byId = refused(read(policy, template("'id':'" + TEMPLATE_ID + "'")));

    assertThat(byName.reason()).isEqualTo("launch_template_not_allowed");
    assertThat(byName.message()).isEqualTo(
        "launchTemplate.name: got \"web\"; allowed: no launch templates (none is configured)");
    assertThat(byId.reason()).isEqualTo("launch_template_not_allowed");
    assertThat(byId.message()).startsWith("launchTemplate.id: got \"" + TEMPLATE_ID + "\"");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "'name':'web-blue',                     true",
      "'name':'web',                          false",
      "'name':'db-blue',                      false",
      "'id':'lt-0123456789abcdef0',           true",
      "'id':'lt-0fedcba9876543210',           false",
      "'name':'lt-0123456789abcdef0',         true",
  })
  void templateGlobsMatchTheIdOrNameTheRequestGives(String members, boolean allowed) {
    LaunchPolicy policy = LaunchPolicy.permissive().withAllowedLaunchTemplates(List.of("web-*", TEMPLATE_ID));

    ReadResult result = read(policy, template(members));

    if (allowed) {
      assertThat(result).isInstanceOf(ReadResult.Accepted.class);
    } else {
      assertThat(refused(result).reason()).isEqualTo("launch_template_not_allowed");
    }
  }

  @Test
  void aTemplateMaySetTypeSubnetAndGroupsItselfButTheRequestsOwnOverridesAreChecked() {
    LaunchPolicy policy = TYPES_AND_SUBNETS.withAllowedLaunchTemplates(List.of("web"))
        .withAllowedSecurityGroupIds(List.of(SG_1));

    assertThat(read(policy, template("'name':'web'"))).isInstanceOf(ReadResult.Accepted.class);
    assertThat(refused(read(policy, json("{'launchTemplate':{'name':'web'},'instanceType':'m5.large'}")))
        .reason()).isEqualTo("instance_type_not_allowed");
    assertThat(refused(read(policy, json("{'launchTemplate':{'name':'web'},'subnetId':'" + OTHER_SUBNET + "'}")))
        .reason()).isEqualTo("subnet_not_allowed");
    assertThat(refused(read(policy, json("{'launchTemplate':{'name':'web'},'securityGroupIds':['" + OTHER_SG
        + "']}"))).reason()).isEqualTo("security_group_not_allowed");
  }

  @Test
  void everySecurityGroupOfALaunchMustBeListed() {
    LaunchPolicy policy = LaunchPolicy.permissive().withAllowedSecurityGroupIds(List.of(SG_1, SG_2));

    assertThat(read(policy, with("'securityGroupIds':['" + SG_2 + "','" + SG_1 + "']")))
        .isInstanceOf(ReadResult.Accepted.class);
    Rejection r = refused(read(policy, with("'securityGroupIds':['" + SG_1 + "','" + OTHER_SG + "']")));
    assertThat(r.reason()).isEqualTo("security_group_not_allowed");
    assertThat(r.message()).isEqualTo("securityGroupIds[1]: got \"" + OTHER_SG + "\"; allowed: " + SG_1 + ", "
        + SG_2);
  }

  @Test
  void defaultSecurityGroupsAreCheckedAndNoGroupAtAllIsRefusedWhenGroupsAreRestricted() {
    LaunchPolicy policy = LaunchPolicy.permissive().withAllowedSecurityGroupIds(List.of(SG_1));

    assertThat(read(policy, defaults(null, null, List.of(SG_1)), Bodies.MINIMAL))
        .isInstanceOf(ReadResult.Accepted.class);
    Rejection fromDefault = refused(read(policy, defaults(null, null, List.of(SG_1, OTHER_SG)), Bodies.MINIMAL));
    assertThat(fromDefault.reason()).isEqualTo("security_group_not_allowed");
    assertThat(fromDefault.message()).startsWith("securityGroupIds[1] (the configured default): got");
    Rejection none = refused(read(policy, Bodies.MINIMAL));
    assertThat(none.reason()).isEqualTo("security_group_required");
    assertThat(none.message()).contains("VPC's default group");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "ci-runner,   true",
      "ci-,         true",
      "ops-key,     true",
      "ops-key-2,   false",
      "prod-admin,  false",
  })
  void keyNamesAreMatchedAgainstGlobs(String keyName, boolean allowed) {
    LaunchPolicy policy = LaunchPolicy.permissive().withAllowedKeyNames(List.of("ci-*", "ops-key"));

    ReadResult result = read(policy, with("'keyName':'" + keyName + "'"));

    if (allowed) {
      assertThat(result).isInstanceOf(ReadResult.Accepted.class);
    } else {
      Rejection r = refused(result);
      assertThat(r.reason()).isEqualTo("key_name_not_allowed");
      assertThat(r.message()).isEqualTo("keyName: got \"" + keyName + "\"; allowed: ci-*, ops-key");
    }
  }

  @Test
  void aRequestWithoutKeyNameOrProfileIsAllowedWhateverTheirLists() {
    LaunchPolicy policy = LaunchPolicy.permissive().withAllowedKeyNames(List.of("ci-*"))
        .withAllowedInstanceProfiles(List.of("runner"));

    assertThat(read(policy, Bodies.MINIMAL)).isInstanceOf(ReadResult.Accepted.class);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "'name':'runner',                                                             true",
      "'arn':'arn:aws:iam::123456789012:instance-profile/runner',                   true",
      "'arn':'arn:aws:iam::123456789012:instance-profile/ci/build/runner',          true",
      "'name':'web-frontend',                                                       true",
      "'name':'admin',                                                              false",
      "'arn':'arn:aws:iam::123456789012:instance-profile/runner/admin',             false",
      "'arn':'arn:aws-us-gov:iam::123456789012:instance-profile/admin',             false",
  })
  void instanceProfilesAreMatchedOnTheirNameAndAnArnsNameIsItsLastPart(String members, boolean allowed) {
    LaunchPolicy policy = LaunchPolicy.permissive().withAllowedInstanceProfiles(
        List.of("arn:aws:iam::123456789012:instance-profile/runner", "web-*"));

    ReadResult result = read(policy, with("'iamInstanceProfile':{" + members + "}"));

    if (allowed) {
      assertThat(result).isInstanceOf(ReadResult.Accepted.class);
    } else {
      Rejection r = refused(result);
      assertThat(r.reason()).isEqualTo("instance_profile_not_allowed");
      assertThat(r.message()).contains("admin").contains("allowed: arn:aws:iam::123456789012:instance-profile/runner");
    }
  }

  @Test
  void aRefusedProfileArnNamesTheProfileNameThatWasChecked() {
    LaunchPolicy policy = LaunchPolicy.permissive().withAllowedInstanceProfiles(List.of("runner"));

    Rejection r = refused(read(policy,
        with("'iamInstanceProfile':{'arn':'arn:aws:iam::123456789012:instance-profile/team/admin'}")));

    assertThat(r.message()).startsWith("iamInstanceProfile.arn (profile name \"admin\"): got "
        + "\"arn:aws:iam::123456789012:instance-profile/team/admin\"; allowed: runner");
  }

  @Test
  void aDefaultItsOwnListRefusesIsReportedForConfigurationToStopStartUp() {
    LaunchPolicy policy = TYPES_AND_SUBNETS.withAllowedSecurityGroupIds(List.of(SG_1));

    assertThat(policy.refusedDefaults(defaults("t3.micro", SUBNET, List.of(SG_1)))).isEmpty();
    assertThat(policy.refusedDefaults(defaults("m5.large", OTHER_SUBNET, List.of(SG_1, OTHER_SG)))).containsExactly(
        new LaunchPolicy.RefusedDefault(LaunchPolicy.Default.INSTANCE_TYPE, "m5.large"),
        new LaunchPolicy.RefusedDefault(LaunchPolicy.Default.SUBNET_ID, OTHER_SUBNET),
        new LaunchPolicy.RefusedDefault(LaunchPolicy.Default.SECURITY_GROUP_IDS, OTHER_SG));
  }

  /**
   * The property the lists exist for: whatever a request sets or leaves out, an accepted request's
   * RunInstancesRequest carries only allowed values, and carries a value for every restricted field unless a
   * launch template may set it.
   */
  @Test
  void everyAcceptedRequestSendsOnlyAllowedValuesAndNothingRestrictedIsLeftToEc2() {
    LaunchPolicy policy = TYPES_AND_SUBNETS.withAllowedSecurityGroupIds(List.of(SG_1))
        .withAllowedLaunchTemplates(List.of("web"));
    List<String> sources = List.of("'imageId':'" + AMI + "'", "'launchTemplate':{'name':'web'}",
        "'launchTemplate':{'name':'db-fleet'}");
    List<String> types = List.of("", ",'instanceType':'t3.micro'", ",'instanceType':'m5.large'");
    List<String> subnets = List.of("", ",'subnetId':'" + SUBNET + "'", ",'subnetId':'" + OTHER_SUBNET + "'");
    List<String> groups = List.of("", ",'securityGroupIds':['" + SG_1 + "']", ",'securityGroupIds':['" + OTHER_SG
        + "']");
    List<LaunchDefaults> configured = List.of(LaunchDefaults.none(), defaults("t3.small", SUBNET, List.of(SG_1)));
    int accepted = 0;
    List<String> checked = new ArrayList<>();
    for (LaunchDefaults d : configured) {
      RunInstancesMapper mapper = new RunInstancesMapper(d);
      for (String source : sources) {
        for (String type : types) {
          for (String subnet : subnets) {
            for (String group : groups) {
              String body = json("{" + source + type + subnet + group + "}");
              checked.add(body);
              if (!(read(policy, d, body) instanceof ReadResult.Accepted a)) {
                continue;
              }
              accepted++;
              RunInstancesRequest ec2 = mapper.map(a.request(), "token", "message");
              boolean template = ec2.launchTemplate() != null;
              assertThat(ec2.launchTemplate() == null || "web".equals(ec2.launchTemplate().launchTemplateName()))
                  .as(body).isTrue();
              assertThat(ec2.instanceType() == null ? template : ec2.instanceTypeAsString().startsWith("t3."))
                  .as(body).isTrue();
              assertThat(ec2.subnetId() == null ? template : ec2.subnetId().equals(SUBNET)).as(body).isTrue();
              assertThat(ec2.securityGroupIds().isEmpty() ? template : List.of(SG_1).equals(ec2.securityGroupIds()))
                  .as(body).isTrue();
            }
          }
        }
      }
    }
    assertThat(checked).hasSize(2 * 3 * 3 * 3 * 3);
    assertThat(accepted).as("some combinations pass, or the property says nothing").isGreaterThanOrEqualTo(9);
  }
}
