package io.launchworker.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class Ec2LatencyTest {
  @Test
  void readsFixedDurations() {
    assertThat(Ec2Latency.parse("1s")).isEqualTo(new Ec2Latency.Fixed(Duration.ofSeconds(1)));
    assertThat(Ec2Latency.parse(" 0ms ").mean()).isZero();
  }

  @Test
  void readsLogNormalDistributionsWhoseMeanIsAboveTheirMedian() {
    assertThat(Ec2Latency.parse("lognormal:1s,0.5"))
        .isEqualTo(new Ec2Latency.LogNormal(Duration.ofSeconds(1), 0.5));
    assertThat(Ec2Latency.parse("lognormal:1s,0.5").mean().toMillis()).isEqualTo(1133);
  }

  @Test
  void readsUniformRangesWhoseMeanIsTheirMiddle() {
    Ec2Latency latency = Ec2Latency.parse("uniform:1s,1.5s");

    assertThat(latency).isEqualTo(new Ec2Latency.Uniform(Duration.ofSeconds(1), Duration.ofMillis(1500)));
    assertThat(latency.mean()).isEqualTo(Duration.ofMillis(1250));
    assertThat(Ec2Latency.parse("uniform: 800ms , 800ms").mean()).isEqualTo(Duration.ofMillis(800));
  }

  @Test
  void printsWhatItParses() {
    for (String text : new String[] {"1250ms", "lognormal:1000ms,0.5", "uniform:1000ms,1500ms"}) {
      assertThat(Ec2Latency.parse(text)).hasToString(text);
      assertThat(Ec2Latency.parse(Ec2Latency.parse(text).toString())).isEqualTo(Ec2Latency.parse(text));
    }
  }

  @Test
  void uniformWithoutTwoBoundsSaysWhatItTakes() {
    assertThatThrownBy(() -> Ec2Latency.parse("uniform:1s")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'uniform:1s' is not uniform:MIN,MAX such as uniform:1s,1.5s");
    assertThatThrownBy(() -> Ec2Latency.parse("uniform:1s,1.5s,2s")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not uniform:MIN,MAX");
  }

  @Test
  void uniformWithItsBoundsReversedIsRefused() {
    assertThatThrownBy(() -> Ec2Latency.parse("uniform:1.5s,1s")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'uniform:1.5s,1s': MIN must not be above MAX, as in uniform:1s,1.5s");
  }

  @Test
  void aBoundThatIsNotADurationIsNamedWithTheFormsAllowed() {
    assertThatThrownBy(() -> Ec2Latency.parse("uniform:1s,soon")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("'uniform:1s,soon': 'soon' is not a duration; --ec2-latency takes 0ms, 1s, ")
        .hasMessageContaining("uniform:MIN,MAX");
    assertThatThrownBy(() -> Ec2Latency.parse("uniform:,1s")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'' is not a duration");
    assertThatThrownBy(() -> Ec2Latency.parse("normal:1s,1s")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not a duration");
  }

  @Test
  void negativeLatenciesAreRefused() {
    assertThatThrownBy(() -> Ec2Latency.parse("uniform:-1s,1s")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'uniform:-1s,1s': a latency must not be negative");
    assertThatThrownBy(() -> Ec2Latency.parse("-5ms")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void logNormalNeedsTwoPartsAndANumericSigma() {
    assertThatThrownBy(() -> Ec2Latency.parse("lognormal:1s")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'lognormal:1s' is not lognormal:MEDIAN,SIGMA such as lognormal:1s,0.5");
    assertThatThrownBy(() -> Ec2Latency.parse("lognormal:1s,wide")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'lognormal:1s,wide': SIGMA must be a number such as 0.5");
    assertThatThrownBy(() -> Ec2Latency.parse("lognormal:1s,-1")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("SIGMA must be a finite number >= 0");
  }
}
