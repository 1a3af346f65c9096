package io.launchworker.cli;

import io.launchworker.config.WorkerConfig;
import io.launchworker.request.LaunchPolicy;
import io.launchworker.request.PolicySummary;
import io.launchworker.sandbox.EmbeddedSqs;
import io.launchworker.sandbox.Sandbox;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * What {@code sandbox} tells its user besides the demo's table: the policy requests meet, and the
 * {@code enqueue} and {@code audit} command lines that reach this sandbox, ready to paste into another terminal
 * (its dummy credentials and, for {@code enqueue}, its policy as environment variables, region and endpoint as
 * flags). Stateless.
 */
final class SandboxInstructions {
  /** The demo's image: the emulator launches any AMI ID. */
  static final String IMAGE_ID = "ami-0123456789abcdef0";
  private static final Pattern PLAIN_WORD = Pattern.compile("[A-Za-z0-9_./:=@%+,-]+");

  private SandboxInstructions() {}

  /** One line: what a request must, may and may not ask for under the sandbox's configuration. */
  static String policy(WorkerConfig settings) {
    return PolicySummary.of(settings.policy(), settings.defaults());
  }

  /** The command lines, each under a line saying what it is for. */
  static String commands(Sandbox sandbox, WorkerConfig settings) {
    String credentials = "AWS_ACCESS_KEY_ID=" + quote(EmbeddedSqs.CREDENTIALS.accessKeyId())
        + " AWS_SECRET_ACCESS_KEY=" + quote(EmbeddedSqs.CREDENTIALS.secretAccessKey());
    String region = "--region " + EmbeddedSqs.REGION.id();
    LaunchPolicy p = settings.policy();
    String image = p.allowedImageIds().stream().filter(i -> !i.equals(LaunchPolicy.ANY)).findFirst()
        .orElse(IMAGE_ID);
    String type = p.allowedInstanceTypes().stream().filter(t -> !t.equals(LaunchPolicy.ANY)).findFirst()
        .map(t -> t.replace("*", "micro").replace("?", "x")).orElse("t3.micro");
    String nl = System.lineSeparator();
    return "sandbox: send a request (from another terminal):" + nl
        + "  " + credentials + " " + policyEnvironment(settings) + " " + program() + " enqueue " + region
        + " --endpoint-url " + quote(sandbox.sqs().endpoint().toString())
        + " --queue-url " + quote(sandbox.queueUrl())
        + " --image-id " + quote(image) + " --instance-type " + quote(type) + nl
        + "sandbox: check that no request was launched twice:" + nl
        + "  " + credentials + " " + program() + " audit " + region
        + " --endpoint-url " + quote(sandbox.ec2().endpoint().toString()) + nl;
  }

  /**
   * The variables that make {@code enqueue} check a request against the sandbox's images and instance types, the
   * two lists the sandbox narrows, so a request the sandbox would reject is refused before it is sent. As
   * {@code VAR=value} words for a shell.
   */
  static String policyEnvironment(WorkerConfig settings) {
    LaunchPolicy p = settings.policy();
    return "LAUNCHER_ALLOWED_IMAGE_IDS=" + quote(String.join(",", p.allowedImageIds()))
        + " LAUNCHER_ALLOWED_INSTANCE_TYPES=" + quote(String.join(",", p.allowedInstanceTypes()));
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
