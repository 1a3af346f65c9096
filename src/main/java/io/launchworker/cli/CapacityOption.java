package io.launchworker.cli;

import io.launchworker.sandbox.ec2.Ec2Capacity;
import java.util.List;
import picocli.CommandLine;

/**
 * The value of {@code --capacity}: the EC2 emulator's capacity limits, given as one line
 * ({@code market:type:subnet=N,...}, see {@link Ec2Capacity#parse}). One value, not a list, so that picocli does
 * not treat the option as repeatable. Immutable.
 */
record CapacityOption(List<Ec2Capacity.Limit> limits) {
  static final String LABEL = "MARKET:TYPE:SUBNET=N,...";
  static final String HELP = "EC2 emulator capacity: comma-separated MARKET:TYPE:SUBNET=N, each a limit of N "
      + "instances (0: none) for launches matching it; MARKET on-demand, spot or *, TYPE and SUBNET a name or *; "
      + "the first matching limit decides, e.g. 'on-demand:t3.large:*=0,on-demand:t3.medium:*=300'.";

  CapacityOption {
    limits = List.copyOf(limits);
  }

  /** The limits of an option that may not have been given. */
  static List<Ec2Capacity.Limit> of(CapacityOption option) {
    return option == null ? List.of() : option.limits();
  }

  /** Rejects a malformed spec at parse time (exit 2), naming the entry and the form it should have. */
  static final class Converter implements CommandLine.ITypeConverter<CapacityOption> {
    @Override
    public CapacityOption convert(String value) {
      try {
        return new CapacityOption(Ec2Capacity.parse(value));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
