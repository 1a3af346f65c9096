package io.launchworker.sandbox.ec2;

import java.util.List;

/**
 * The instance metadata service options of a launch, as RunInstances' {@code MetadataOptions} set them and
 * DescribeInstances' {@code metadataOptions} shows them. Left out, EC2 applies its own defaults (tokens optional,
 * i.e. IMDSv1 on, unless the AMI or the account says otherwise; hop limit 1; endpoint enabled), and so does the
 * emulator, so a launch that forgot them is visible. Immutable.
 */
record MetadataOptions(String httpTokens, int httpPutResponseHopLimit, String httpEndpoint) {
  private static final String PREFIX = "MetadataOptions.";
  /** EC2's documented range for the PUT response hop limit. */
  private static final int MAX_HOP_LIMIT = 64;

  static final MetadataOptions EC2_DEFAULT = new MetadataOptions("optional", 1, "enabled");

  /** The options of a RunInstances request, validated like EC2, with EC2's defaults for what is left out. */
  static MetadataOptions of(QueryRequest request) {
    String tokens = oneOf(request, "HttpTokens", List.of("optional", "required"), EC2_DEFAULT.httpTokens());
    String endpoint = oneOf(request, "HttpEndpoint", List.of("enabled", "disabled"), EC2_DEFAULT.httpEndpoint());
    Integer hops = request.integer(PREFIX + "HttpPutResponseHopLimit");
    if (hops != null && (hops < 1 || hops > MAX_HOP_LIMIT)) {
      throw Ec2Error.invalidValue("Value (" + hops + ") for parameter HttpPutResponseHopLimit is invalid. "
          + "Expected a number from 1 to " + MAX_HOP_LIMIT + ".");
    }
    return new MetadataOptions(tokens, hops == null ? EC2_DEFAULT.httpPutResponseHopLimit() : hops, endpoint);
  }

  private static String oneOf(QueryRequest request, String name, List<String> allowed, String absent) {
    String value = request.get(PREFIX + name);
    if (value == null) {
      return absent;
    }
    if (!allowed.contains(value)) {
      throw Ec2Error.invalidValue("Value (" + value + ") for parameter " + name + " is invalid. Expected one of "
          + String.join(", ", allowed) + ".");
    }
    return value;
  }

  /** The {@code metadataOptions} element of an instance in the names the SDK's unmarshaller reads. */
  void write(Xml xml) {
    xml.open("metadataOptions")
        .leaf("state", "applied")
        .leaf("httpTokens", httpTokens)
        .leaf("httpPutResponseHopLimit", httpPutResponseHopLimit)
        .leaf("httpEndpoint", httpEndpoint)
        .close("metadataOptions");
  }
}
