package io.launchworker.cli;

import io.launchworker.config.WorkerConfig;
import io.launchworker.request.LaunchPolicy;
import io.launchworker.sandbox.EmbeddedSqs;
import io.launchworker.sandbox.Sandbox;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What {@code sandbox} tells its user besides the demo's table: the policy requests meet, and the
 * {@code enqueue} and {@code audit} command lines that reach this sandbox, ready to paste into another terminal
 * (its dummy credentials as environment variables, region and endpoint as flags). Stateless.
 */
final class SandboxInstructions {
  /** The demo's image: the emulator launches any AMI ID. */
  static final String IMAGE_ID = "ami-0123456789abcdef0";
  private static final Pattern PLAIN_WORD = Pattern.compile("[A-Za-z0-9_./:=@%+,-]+");

  private SandboxInstructions() {}

  /** One line: what a request must, may and may not ask for under the sandbox's configuration. */
  static String policy(WorkerConfig settings) {
    LaunchPolicy p = settings.policy();
    List<String> parts = new ArrayList<>();
    if (p.allowedInstanceTypes().isEmpty()) {
      parts.add("any instance type");
    } else {
      parts.add("instance types " + String.join(", ", p.allowedInstanceTypes())
          + settings.defaults().instanceType().map(d -> " (default " + d + ")").orElse(" (instanceType required)"));
    }
    parts.add(p.allowedLaunchTemplates().isEmpty() ? "no launch templates"
        : "launch templates " + String.join(", ", p.allowedLaunchTemplates()));
    Map<String, List<String>> lists = new LinkedHashMap<>();
    lists.put("images", p.allowedImageIds());
    lists.put("subnets", p.allowedSubnetIds());
    lists.put("security groups", p.allowedSecurityGroupIds());
    lists.put("key pairs", p.allowedKeyNames());
    lists.put("instance profiles", p.allowedInstanceProfiles());
    List<String> any = new ArrayList<>();
    lists.forEach((name, allowed) -> {
      if (allowed.isEmpty()) {
        any.add(name);
      } else {
        parts.add(name + " " + String.join(", ", allowed));
      }
    });
    if (!any.isEmpty()) {
      parts.add(String.join(", ", any) + ": any");
    }
    parts.add("at most " + p.maxInstancesPerRequest() + " instances a request and " + p.maxInstancesPerHour()
        + " an hour");
    return String.join("; ", parts);
  }

  /** The command lines, each under a line saying what it is for. */
  static String commands(Sandbox sandbox, WorkerConfig settings) {
    String credentials = "AWS_ACCESS_KEY_ID=" + quote(EmbeddedSqs.CREDENTIALS.accessKeyId())
        + " AWS_SECRET_ACCESS_KEY=" + quote(EmbeddedSqs.CREDENTIALS.secretAccessKey());
    String region = "--region " + EmbeddedSqs.REGION.id();
    LaunchPolicy p = settings.policy();
    String image = p.allowedImageIds().isEmpty() ? IMAGE_ID : p.allowedImageIds().get(0);
    String type = p.allowedInstanceTypes().isEmpty() ? "t3.micro"
        : p.allowedInstanceTypes().get(0).replace("*", "micro").replace("?", "x");
    String nl = System.lineSeparator();
    return "sandbox: send a request (from another terminal):" + nl
        + "  " + credentials + " " + program() + " enqueue " + region
        + " --endpoint-url " + quote(sandbox.sqs().endpoint().toString())
        + " --queue-url " + quote(sandbox.queueUrl())
        + " --image-id " + quote(image) + " --instance-type " + quote(type) + nl
        + "sandbox: check that no request was launched twice:" + nl
        + "  " + credentials + " " + program() + " audit " + region
        + " --endpoint-url " + quote(sandbox.ec2().endpoint().toString()) + nl;
  }

  /** {@code java -jar /path/to/the.jar} when running from a jar, else the installed name. */
  static String program() {
    try {
      Path location = Path.of(SandboxInstructions.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (location.toString().endsWith(".jar")) {
        return "java -jar " + quote(location.toAbsolutePath().toString());
      }
    } catch (URISyntaxException | RuntimeException e) {
      // No code source to name (an unusual class loader): the installed name is the best guess.
    }
    return "launch-worker";
  }

  /** As a POSIX shell reads it back: plain words as they are, anything else in single quotes. */
  static String quote(String word) {
    return PLAIN_WORD.matcher(word).matches() ? word : "'" + word.replace("'", "'\\''") + "'";
  }
}
