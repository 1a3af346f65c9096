package io.launchworker.request;

import static io.launchworker.request.Bodies.with;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
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
  void emptyAllowListsAllowAnything() {
    RequestReader reader = new RequestReader(new LaunchPolicy(List.of(), List.of(), List.of(), 100, 1000));

    assertThat(reader.read(with("'instanceType':'p5.48xlarge','subnetId':'subnet-fedcba98','maxCount':100")))
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
    RequestReader reader = new RequestReader(new LaunchPolicy(List.of(), List.of(), List.of(), 3, 1000));

    assertThat(reader.read(with("'maxCount':3"))).isInstanceOf(ReadResult.Accepted.class);
    assertThat(reader.read(with("'maxCount':4"))).isInstanceOf(ReadResult.Rejected.class);
  }

  @Test
  void notAllowedMessageListsWhatIsAllowed() {
    RequestReader reader =
        new RequestReader(new LaunchPolicy(List.of(), List.of("t3.*", "m5.*"), List.of(), 1, 1000));

    Rejection r = ((ReadResult.Rejected) reader.read(with("'instanceType':'p5.48xlarge'"))).rejection();

    assertThat(r.reason()).isEqualTo("instance_type_not_allowed");
    assertThat(r.message()).isEqualTo("instanceType: got \"p5.48xlarge\"; allowed: t3.*, m5.*");
  }
}
