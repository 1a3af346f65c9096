package io.launchworker.sandbox.ec2;

import io.launchworker.sandbox.ec2.Ec2Capacity.Limit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The one-line form of capacity limits a CLI flag takes: {@code market:type:subnet=N,…}. Parsed once, here. */
final class CapacitySpec {
  private static final String EXPECTED = "expected market:type:subnet=N with market on-demand, spot or *, "
      + "type and subnet a name or *, N a whole number of instances, e.g. spot:*:*=0";

  private CapacitySpec() {}

  static List<Limit> parse(String spec) {
    Objects.requireNonNull(spec, "spec");
    if (spec.isBlank()) {
      return List.of();
    }
    List<Limit> limits = new ArrayList<>();
    for (String entry : spec.split(",", -1)) {
      limits.add(entry(entry.trim()));
    }
    return List.copyOf(limits);
  }

  private static Limit entry(String entry) {
    if (entry.isEmpty()) {
      throw malformed(entry, "the entry is empty");
    }
    int eq = entry.indexOf('=');
    if (eq < 0) {
      throw malformed(entry, "there is no '=N'");
    }
    String[] parts = entry.substring(0, eq).split(":", -1);
    if (parts.length != 3) {
      throw malformed(entry, "'" + entry.substring(0, eq) + "' has " + parts.length + " ':'-separated part"
          + (parts.length == 1 ? "" : "s") + ", not 3");
    }
    String count = entry.substring(eq + 1).trim();
    int launches;
    try {
      launches = Integer.parseInt(count);
    } catch (NumberFormatException e) {
      throw malformed(entry, "'" + count + "' is not a whole number");
    }
    try {
      return new Limit(parts[0].trim(), parts[1].trim(), parts[2].trim(), launches);
    } catch (IllegalArgumentException e) {
      throw malformed(entry, e.getMessage());
    }
  }

  private static IllegalArgumentException malformed(String entry, String problem) {
    return new IllegalArgumentException("capacity spec entry '" + entry + "': " + problem + "; " + EXPECTED);
  }
}
