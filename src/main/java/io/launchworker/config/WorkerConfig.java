package io.launchworker.config;

import io.launchworker.request.LaunchDefaults;
import io.launchworker.request.LaunchPolicy;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The worker's effective configuration: parsed and validated once by {@link ConfigLoader}, immutable after.
 * Each component mirrors a block of {@code config/worker.conf}, where every key is documented.
 */
public record WorkerConfig(
    String queueUrl,
    String dlqUrl,
    Optional<String> resultsQueueUrl,
    int maxInFlight,
    int maxAttempts,
    Duration maxRequestAge,
    Sqs sqs,
    Retry retry,
    Ec2Limits ec2,
    Duration shutdownGrace,
    Aws aws,
    Admin admin,
    LaunchPolicy policy,
    LaunchDefaults defaults,
    Metrics metrics,
    TokenKeys tokenKeys) {

  public WorkerConfig(String queueUrl, String dlqUrl, Optional<String> resultsQueueUrl, int maxInFlight,
      int maxAttempts, Duration maxRequestAge, Sqs sqs, Retry retry, Ec2Limits ec2, Duration shutdownGrace, Aws aws,
      Admin admin, LaunchPolicy policy, LaunchDefaults defaults, Metrics metrics) {
    this(queueUrl, dlqUrl, resultsQueueUrl, maxInFlight, maxAttempts, maxRequestAge, sqs, retry, ec2, shutdownGrace,
        aws, admin, policy, defaults, metrics, TokenKeys.UNSET);
  }

  /**
   * {@code launcher.token-key} and {@code launcher.token-key-previous}: HMAC keys for the token attribute the worker
   * writes when it dead-letters. Without a current key the attribute is honoured unsigned: by choice when
   * {@code unsigned} ({@code token-key = none}), else the key is simply not set, and {@code run} refuses to start.
   * Never printed.
   */
  public record TokenKeys(Optional<String> current, Optional<String> previous, boolean unsigned) {
    /** No key, and unsigned was not chosen: {@code run} refuses to start with this. */
    public static final TokenKeys UNSET = new TokenKeys(Optional.empty(), Optional.empty(), false);
    /** {@code launcher.token-key = none}: the attribute is honoured unsigned, as the operator chose. */
    public static final TokenKeys UNSIGNED = new TokenKeys(Optional.empty(), Optional.empty(), true);

    public TokenKeys {
      if (unsigned && (current.isPresent() || previous.isPresent())) {
        throw new IllegalArgumentException("unsigned with a key");
      }
    }

    /** Whether the operator decided: a key, or unsigned on purpose. */
    public boolean decided() {
      return current.isPresent() || unsigned;
    }

    @Override
    public String toString() {
      return "TokenKeys[current=" + (current.isPresent() ? "****" : unsigned ? "none (unsigned)" : "unset")
          + ", previous=" + (previous.isPresent() ? "****" : "none") + "]";
    }
  }

  /** {@code launcher.sqs}: receive, visibility and delete settings. */
  public record Sqs(
      Duration waitTime,
      Duration visibilityTimeout,
      double extendWhenRemaining,
      Duration deleteFlushInterval,
      Duration receiveErrorBackoff,
      Duration receiveErrorBackoffMax) {}

  /**
   * {@code launcher.retry}: delays before a message failing transiently is tried again; {@code accountFaultDelay}
   * is the longest pause between probe launches while the account is at fault (the first comes after the base).
   * {@code consistencyWindow} is how long look-ups of a message that may be a repeat must keep coming back empty
   * before the worker does anything irreversible with it (another shape, reject, expire, dead-letter), and the
   * least back-off after a RunInstances failure that may have launched; {@link Duration#ZERO} turns the waiting
   * off (tests, emulators).
   */
  public record Retry(Duration baseDelay, Duration maxDelay, Duration capacityDelay, Duration quotaDelay,
      Duration accountFaultDelay, Duration consistencyWindow) {
    /**
     * The default {@code consistency-window}. DescribeInstances is eventually consistent: a launch usually shows
     * within seconds, and AWS's guide ("Eventual consistency in the Amazon EC2 API") says to keep asking from a
     * couple of seconds up to a few minutes. Two minutes covers the usual lag many times over while delaying only
     * the rare message that may be a repeat and whose look-up came back empty.
     */
    public static final Duration DEFAULT_CONSISTENCY_WINDOW = Duration.ofMinutes(2);

    /** With the default {@link #DEFAULT_CONSISTENCY_WINDOW}. */
    public Retry(Duration baseDelay, Duration maxDelay, Duration capacityDelay, Duration quotaDelay,
        Duration accountFaultDelay) {
      this(baseDelay, maxDelay, capacityDelay, quotaDelay, accountFaultDelay, DEFAULT_CONSISTENCY_WINDOW);
    }

    public Retry(Duration baseDelay, Duration maxDelay, Duration capacityDelay, Duration quotaDelay) {
      this(baseDelay, maxDelay, capacityDelay, quotaDelay, Duration.ofMinutes(2));
    }
  }

  /** {@code launcher.ec2}: the client-side EC2 API budget. */
  public record Ec2Limits(int runInstancesBurst, double runInstancesPerSecond, int describeBurst,
      double describePerSecond, boolean adaptive) {
    /** Adaptive limits (the default): each a ceiling below which the worker finds its share. */
    public Ec2Limits(int runInstancesBurst, double runInstancesPerSecond, int describeBurst, double describePerSecond) {
      this(runInstancesBurst, runInstancesPerSecond, describeBurst, describePerSecond, true);
    }
  }

  /** {@code launcher.aws}: empty means "the SDK's default chain decides". */
  public record Aws(Optional<String> region, Optional<URI> sqsEndpoint, Optional<URI> ec2Endpoint,
      Optional<URI> cloudwatchEndpoint) {}

  /**
   * {@code launcher.admin}: the admin HTTP server; port -1 turns it off, 0 picks a free port. {@code allowedHosts}
   * are the names, besides localhost and IP literals, that requests may carry in their Host header (lower case).
   */
  public record Admin(int port, String host, List<String> allowedHosts) {
    public Admin {
      allowedHosts = List.copyOf(allowedHosts);
    }

    /** On a host with no names allowed beyond localhost and IP literals. */
    public Admin(int port, String host) {
      this(port, host, List.of());
    }

    public boolean enabled() {
      return port >= 0;
    }
  }

  public WorkerConfig withAdminPort(int port) {
    return new WorkerConfig(queueUrl, dlqUrl, resultsQueueUrl, maxInFlight, maxAttempts, maxRequestAge, sqs, retry, ec2,
        shutdownGrace, aws, new Admin(port, admin.host(), admin.allowedHosts()), policy, defaults, metrics,
        tokenKeys);
  }

  /**
   * {@code launcher.metrics}: where meters go. {@code /metrics} always serves Prometheus text; with
   * {@link Registry#CLOUDWATCH} the same meters are also published to CloudWatch every {@code step}.
   */
  public record Metrics(Registry registry, String cloudwatchNamespace, Duration step) {
    /** The values of {@code launcher.metrics.registry}, by their configuration spelling. */
    public enum Registry {
      PROMETHEUS, CLOUDWATCH;

      public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
      }
    }
  }
}
