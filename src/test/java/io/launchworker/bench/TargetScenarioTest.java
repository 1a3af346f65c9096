package io.launchworker.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TargetScenarioTest {
  @Test
  void theSevenScenariosRunInTheTargetsOrderWithTheirOwnOptions() {
    assertThat(TargetScenario.ALL).extracting(TargetScenario::name)
        .containsExactly("P1", "P2", "P3", "P4", "P5", "P6", "P7");
    assertThat(TargetScenario.ALL.get(5).arguments(1)).containsExactly("--requests", "20000", "--separate-process",
        "--worker-java-options", "-Xmx128m");
  }

  @Test
  void scaleMultipliesTheRequestCountRoundedAndAtLeastOne() {
    TargetScenario p3 = TargetScenario.ALL.get(2);

    assertThat(p3.arguments(0.01)).containsExactly("--requests", "3", "--ec2-bucket", "5/2");
    assertThat(p3.arguments(0.0001)).startsWith("--requests", "1");
    assertThat(p3.arguments(2)).startsWith("--requests", "600");
  }

  @Test
  void aScaleThatIsNotAboveZeroIsRefused() {
    for (double scale : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
      assertThatThrownBy(() -> TargetScenario.ALL.get(0).arguments(scale))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--scale");
    }
  }
}
