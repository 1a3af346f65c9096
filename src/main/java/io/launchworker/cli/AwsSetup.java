package io.launchworker.cli;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Where one command's AWS client gets its region, credentials and endpoint from, as far as the user set them, and
 * the one line that says what to change when the SDK could not use them: no region, no credentials, credentials
 * refused, an endpoint that does not answer, a queue that does not exist. Other failures are not set-up problems
 * and are left to the caller. Immutable.
 *
 * @param service the name in messages and the SDK's service-specific endpoint variable, e.g. SQS
 * @param env the process environment (the SDK reads the same one)
 * @param flags the command's own {@code --region} and {@code --endpoint-url}: whether it has them, and their values
 * @param configRegion {@code launcher.aws.region}, when the command reads configuration and it is set
 * @param configEndpoint the service's {@code launcher.aws.*-endpoint}, when set
 * @param queue the queue the command uses and where it came from, e.g. {@code --queue-url}, for "no such queue"
 */
record AwsSetup(Service service, Map<String, String> env, Flags flags, boolean readsConfig,
    Optional<String> configRegion, Optional<URI> configEndpoint, Optional<Setting> queue) {

  /** The services the commands call; each has its own endpoint variable and configuration key. */
  enum Service {
    SQS("AWS_ENDPOINT_URL_SQS", "launcher.aws.sqs-endpoint", "aws.endpointUrlSqs"),
    EC2("AWS_ENDPOINT_URL_EC2", "launcher.aws.ec2-endpoint", "aws.endpointUrlEc2");

    final String endpointVariable;
    final String endpointKey;
    final String endpointProperty;

    Service(String endpointVariable, String endpointKey, String endpointProperty) {
      this.endpointVariable = endpointVariable;
      this.endpointKey = endpointKey;
      this.endpointProperty = endpointProperty;
    }
  }

  /** @param offered the command has {@code --region} and {@code --endpoint-url} */
  record Flags(boolean offered, Optional<String> region, Optional<URI> endpoint) {
    static Flags none() {
      return new Flags(false, Optional.empty(), Optional.empty());
    }
  }

  /** A value and where it came from, both as the user would recognise them. */
  record Setting(String value, String source) {}

  /** Error codes with which AWS refuses the credentials themselves (not what they may do). */
  private static final Set<String> CREDENTIALS_REFUSED = Set.of("InvalidClientTokenId", "UnrecognizedClientException",
      "SignatureDoesNotMatch", "AuthFailure", "InvalidAccessKeyId", "ExpiredToken", "ExpiredTokenException",
      "IncompleteSignature", "MissingAuthenticationToken", "InvalidSecurity");
  private static final Set<String> ACCESS_DENIED = Set.of("AccessDenied", "AccessDeniedException",
      "UnauthorizedOperation", "KMS.AccessDeniedException");
  private static final Set<String> NO_SUCH_QUEUE = Set.of("AWS.SimpleQueueService.NonExistentQueue",
      "QueueDoesNotExist", "NonExistentQueue");

  /** A worker's set-up: region and endpoints from its configuration, no flags. */
  static AwsSetup forWorker(Service service, Map<String, String> env, io.launchworker.config.WorkerConfig.Aws aws) {
    return new AwsSetup(service, env, Flags.none(), true, aws.region(),
        service == Service.SQS ? aws.sqsEndpoint() : aws.ec2Endpoint(), Optional.empty());
  }

  /** The same set-up, about this queue. */
  AwsSetup forQueue(Setting queue) {
    return new AwsSetup(service, env, flags, readsConfig, configRegion, configEndpoint, Optional.of(queue));
  }

  /** True when {@link #explain} has a line for this failure: the set-up is wrong, not the moment. */
  static boolean isSetupProblem(Throwable failure) {
    return kind(failure).isPresent();
  }

  /** The failure as a {@link SetupException} when it is a set-up problem, else empty. */
  Optional<SetupException> explain(Throwable failure) {
    return message(failure).map(m -> new SetupException(m, failure));
  }

  private enum Kind { NO_REGION, NO_CREDENTIALS, UNREACHABLE, CREDENTIALS_REFUSED, ACCESS_DENIED, NO_SUCH_QUEUE }

  private static Optional<Kind> kind(Throwable failure) {
    if (failure instanceof AwsServiceException aws && aws.awsErrorDetails() != null) {
      String code = String.valueOf(aws.awsErrorDetails().errorCode());
      if (CREDENTIALS_REFUSED.contains(code)) {
        return Optional.of(Kind.CREDENTIALS_REFUSED);
      }
      if (ACCESS_DENIED.contains(code)) {
        return Optional.of(Kind.ACCESS_DENIED);
      }
      return NO_SUCH_QUEUE.contains(code) ? Optional.of(Kind.NO_SUCH_QUEUE) : Optional.empty();
    }
    if (!(failure instanceof SdkClientException)) {
      return Optional.empty();
    }
    String message = String.valueOf(failure.getMessage());
    if (message.startsWith("Unable to load region")) {
      return Optional.of(Kind.NO_REGION);
    }
    if (message.startsWith("Unable to load credentials")) {
      return Optional.of(Kind.NO_CREDENTIALS);
    }
    return unreachable(failure).isPresent() ? Optional.of(Kind.UNREACHABLE) : Optional.empty();
  }

  /** Why no connection was made ("connection refused", "unknown host x"), if that is what happened. */
  private static Optional<String> unreachable(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof UnknownHostException) {
        return Optional.of("unknown host " + t.getMessage());
      }
      if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
        return Optional.of("connection refused");
      }
      // httpclient5's ConnectTimeoutException: the connection was never made, so nothing was sent either.
      if (t.getClass().getSimpleName().equals("ConnectTimeoutException")) {
        return Optional.of("no answer to the connection attempt");
      }
    }
    return Optional.empty();
  }

  private Optional<String> message(Throwable failure) {
    return kind(failure).map(kind -> switch (kind) {
      case NO_REGION -> "no AWS region: " + regionHint();
      case NO_CREDENTIALS -> "no AWS credentials: " + credentialsHint();
      case UNREACHABLE -> "cannot reach " + service + " at " + endpoint() + ": " + unreachable(failure).orElseThrow()
          + "; " + endpointHint();
      case CREDENTIALS_REFUSED -> service + " refused the credentials (" + code(failure) + "): check "
          + credentialsSource();
      case ACCESS_DENIED -> service + " denied the call (" + code(failure) + ": "
          + ((AwsServiceException) failure).awsErrorDetails().errorMessage() + "): the credentials from "
          + credentialsSource() + " need the permissions in the README's IAM section";
      case NO_SUCH_QUEUE -> queue.map(q -> "no such queue: " + q.value() + " (from " + q.source() + ")")
          .orElse("no such queue") + " at " + endpoint();
    });
  }

  private static String code(Throwable failure) {
    return ((AwsServiceException) failure).awsErrorDetails().errorCode();
  }

  private String regionHint() {
    String config = readsConfig ? " (or launcher.aws.region in the --config file)" : "";
    return flags.offered() ? "give --region or set AWS_REGION" + config
        : "set AWS_REGION" + (readsConfig ? " or launcher.aws.region" : "");
  }

  private String credentialsHint() {
    if (env.containsKey("AWS_PROFILE")) {
      return "the profile AWS_PROFILE = \"" + env.get("AWS_PROFILE") + "\" has none; fix the profile or unset "
          + "AWS_PROFILE";
    }
    if (env.containsKey("AWS_ACCESS_KEY_ID") && !env.containsKey("AWS_SECRET_ACCESS_KEY")) {
      return "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not";
    }
    return "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run with an instance or pod role";
  }

  private String credentialsSource() {
    if (System.getProperty("aws.accessKeyId") != null) {
      return "-Daws.accessKeyId";
    }
    if (env.containsKey("AWS_ACCESS_KEY_ID")) {
      return "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY";
    }
    if (env.containsKey("AWS_PROFILE")) {
      return "AWS_PROFILE = \"" + env.get("AWS_PROFILE") + "\"";
    }
    return "the SDK's default chain (default profile, instance or pod role)";
  }

  /** The endpoint the client used and where it came from, in the SDK's order of precedence. */
  private String endpoint() {
    return endpointSetting().map(s -> s.value() + " (from " + s.source() + ")")
        .orElseGet(() -> "its AWS endpoint" + region().map(r -> " in region " + r.value() + " (from " + r.source()
            + ")").orElse(""));
  }

  private String endpointHint() {
    return endpointSetting().map(s -> "check " + s.source())
        .orElse("check the network, or " + (flags.offered() ? "give --endpoint-url or " : "") + "set "
            + service.endpointVariable + " for a local stand-in");
  }

  private Optional<Setting> endpointSetting() {
    if (flags.endpoint().isPresent()) {
      return Optional.of(new Setting(flags.endpoint().get().toString(), "--endpoint-url"));
    }
    if (configEndpoint.isPresent()) {
      return Optional.of(new Setting(configEndpoint.get().toString(), service.endpointKey));
    }
    if (System.getProperty(service.endpointProperty) != null) {
      return Optional.of(new Setting(System.getProperty(service.endpointProperty), "-D" + service.endpointProperty));
    }
    for (String variable : new String[] {service.endpointVariable, "AWS_ENDPOINT_URL"}) {
      if (env.get(variable) != null && !env.get(variable).isBlank()) {
        return Optional.of(new Setting(env.get(variable), variable));
      }
    }
    return Optional.empty();
  }

  private Optional<Setting> region() {
    if (flags.region().isPresent()) {
      return Optional.of(new Setting(flags.region().get(), "--region"));
    }
    if (configRegion.isPresent()) {
      return Optional.of(new Setting(configRegion.get(), "launcher.aws.region"));
    }
    if (System.getProperty("aws.region") != null) {
      return Optional.of(new Setting(System.getProperty("aws.region"), "-Daws.region"));
    }
    return Optional.ofNullable(env.get("AWS_REGION")).map(r -> new Setting(r, "AWS_REGION"));
  }
}
