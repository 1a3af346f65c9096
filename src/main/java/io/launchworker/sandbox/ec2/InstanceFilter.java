package io.launchworker.sandbox.ec2;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One DescribeInstances {@code Filter.N}: a name and values that are OR-ed; values may use EC2's wildcards
 * {@code *} and {@code ?}. Immutable.
 */
final class InstanceFilter implements Predicate<StoredInstance> {
  private static final List<String> NAMES = List.of("instance-id", "client-token", "instance-state-name",
      "reservation-id", "image-id", "instance-type", "subnet-id", "availability-zone", "instance-lifecycle",
      "spot-instance-request-id", "launch-time", "tag-key", "tag:KEY");
  /** EC2 matches {@code launch-time} against this form, e.g. {@code 2021-09-29T11:04:43.305Z}. */
  private static final DateTimeFormatter LAUNCH_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private final String name;
  private final List<Pattern> values;

  private InstanceFilter(String name, List<Pattern> values) {
    this.name = name;
    this.values = values;
  }

  /** Parses {@code Filter.N.Name} and {@code Filter.N.Value.M}; unknown names are InvalidParameterValue. */
  static InstanceFilter of(QueryRequest filter) {
    String name = filter.get("Name");
    if (name == null) {
      throw Ec2Error.missing("Filter.N.Name");
    }
    if (!name.startsWith("tag:") && !NAMES.contains(name)) {
      throw Ec2Error.invalidValue("The filter '" + name + "' is invalid; supported: " + NAMES);
    }
    List<Pattern> values = filter.list("Value").stream().map(InstanceFilter::glob).toList();
    return new InstanceFilter(name, values);
  }

  /** EC2's wildcards as a pattern: {@code *} any run, {@code ?} one character, a backslash escapes the next. */
  static Pattern glob(String value) {
    StringBuilder regex = new StringBuilder();
    StringBuilder literal = new StringBuilder();
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\\' && i + 1 < value.length()) {
        literal.append(value.charAt(++i));
      } else if (c == '*' || c == '?') {
        regex.append(Pattern.quote(literal.toString())).append(c == '*' ? ".*" : ".");
        literal.setLength(0);
      } else {
        literal.append(c);
      }
    }
    regex.append(Pattern.quote(literal.toString()));
    return Pattern.compile(regex.toString(), Pattern.DOTALL);
  }

  @Override
  public boolean test(StoredInstance instance) {
    return attribute(instance).anyMatch(a -> a != null && values.stream().anyMatch(v -> v.matcher(a).matches()));
  }

  private Stream<String> attribute(StoredInstance instance) {
    if (name.startsWith("tag:")) {
      return Stream.ofNullable(instance.tags().get(name.substring("tag:".length())));
    }
    return switch (name) {
      case "instance-id" -> Stream.of(instance.instanceId());
      case "client-token" -> Stream.ofNullable(instance.clientToken());
      case "instance-state-name" -> Stream.of(instance.state());
      case "reservation-id" -> Stream.of(instance.reservationId());
      case "image-id" -> Stream.ofNullable(instance.imageId());
      case "instance-type" -> Stream.of(instance.instanceType());
      case "subnet-id" -> Stream.ofNullable(instance.subnetId());
      case "availability-zone" -> Stream.of(instance.availabilityZone());
      // EC2 has no value for on-demand here: only spot (and scheduled, capacity-block) instances match.
      case "instance-lifecycle" -> Stream.ofNullable(instance.spot() ? MarketOptions.SPOT : null);
      case "spot-instance-request-id" -> Stream.ofNullable(instance.spotInstanceRequestId());
      case "launch-time" -> Stream.of(LAUNCH_TIME.format(instance.launchTime()));
      case "tag-key" -> instance.tags().keySet().stream();
      default -> throw new IllegalStateException("filter checked at parse time: " + name);
    };
  }
}
