package io.launchworker.sandbox.ec2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.launchworker.sandbox.ec2.Ec2Capacity.Limit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The one-line capacity spec a CLI flag takes: {@code market:type:subnet=N,…}. */
class CapacitySpecTest {
  @Test
  void specListsLimitsInOrderWithWildcardsAndBlanksAroundEntries() {
    assertThat(Ec2Capacity.parse("spot:*:*=0, on-demand:c5.large:subnet-0aaa1111=2 ,*:m5.xlarge:*= 10"))
        .containsExactly(
            new Limit("spot", "*", "*", 0),
            new Limit("on-demand", "c5.large", "subnet-0aaa1111", 2),
            new Limit("*", "m5.xlarge", "*", 10));
  }

  @Test
  void blankSpecHasNoLimits() {
    assertThat(Ec2Capacity.parse("")).isEmpty();
    assertThat(Ec2Capacity.parse("  ")).isEmpty();
  }

  @Test
  void limitPrintsAsItsSpecEntrySoASpecRoundTrips() {
    String spec = "spot:*:*=0,on-demand:c5.large:subnet-0aaa1111=2";

    assertThat(String.join(",", Ec2Capacity.parse(spec).stream().map(Limit::toString).toList())).isEqualTo(spec);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "spot:*:*                      | 'spot:*:*': there is no '=N'",
      "spot:*=0                      | 'spot:*=0': 'spot:*' has 2 ':'-separated parts, not 3",
      "spot:c5.large:subnet-1:x=1    | 'spot:c5.large:subnet-1:x=1': 'spot:c5.large:subnet-1:x' has 4",
      "reserved:*:*=1                | 'reserved:*:*=1': market must be one of on-demand, spot, *, got 'reserved'",
      "spot:*:*=-1                   | 'spot:*:*=-1': launches must be 0 or more, got -1",
      "spot:*:*=many                 | 'spot:*:*=many': 'many' is not a whole number",
      "spot::*=1                     | 'spot::*=1': the instance type must be a name or *",
      "'spot:*:*=0,,on-demand:*:*=1' | '': the entry is empty",
  })
  void malformedEntryIsNamedInTheError(String spec, String expected) {
    assertThatThrownBy(() -> Ec2Capacity.parse(spec))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("capacity spec entry ")
        .hasMessageContaining(expected)
        .hasMessageContaining("expected market:type:subnet=N");
  }

  @Test
  void malformedSpecAddsNoLimitAtAll() {
    Ec2Capacity capacity = new Ec2Capacity(new SubnetZones()).limit("spot", "*", "*", 1);

    assertThatThrownBy(() -> capacity.apply("on-demand:*:*=1,spot:*:*=x"))
        .hasMessageContaining("'spot:*:*=x'");

    assertThat(capacity.limits()).containsExactly(new Limit("spot", "*", "*", 1));
  }

  @Test
  void limitRejectsAMarketItDoesNotKnow() {
    Ec2Capacity capacity = new Ec2Capacity(new SubnetZones());

    assertThatThrownBy(() -> capacity.limit("spot-then-on-demand", "*", "*", 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("market must be one of on-demand, spot, *, got 'spot-then-on-demand'");
  }
}
