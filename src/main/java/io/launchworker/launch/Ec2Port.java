package io.launchworker.launch;

import java.time.Instant;
import io.launchworker.message.Outcome;
import io.launchworker.message.Placement;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;

/**
 * The EC2 operations the worker needs, and nothing else. Implementations block and throw the SDK's
 * exceptions unchanged so that {@code settle.Ec2ErrorClassifier} can read their error codes. Thread-safe.
 */
public interface Ec2Port {

  /** Calls RunInstances; the request carries the client token and the worker's tags. */
  Reservation runInstances(RunInstancesRequest request);

  /** Every instance (any state) launched with this token, looked up by the given filter; paginated fully. */
  List<FoundInstance> findByToken(String token, TokenFilter filter);

  /**
   * One page of the instances (any state) that carry the token tag key and were launched within one of the given
   * spans: one DescribeInstances call filtered by {@code tag-key} and by {@code launch-time} wildcards, e.g.
   * {@code 2026-11-30T19:*} for an hour or {@code 2026-11-30T19:4*} for ten minutes (EC2's filter has no ranges).
   * The page may hold instances launched outside them (an endpoint that refuses the {@code launch-time} filter is
   * asked without it): callers keep the launch times they want. Start with an empty page token, then pass each
   * answer's on until it is empty.
   */
  TaggedLaunchPage findTaggedLaunches(List<LaunchSpan> spans, Optional<String> pageToken);

  /**
   * A span of launch times one {@code launch-time} wildcard matches: a UTC hour, ten minutes or one minute, from
   * {@code start} (aligned to it).
   */
  record LaunchSpan(Instant start, Length length) {
    /** The spans EC2's launch-time format can end a wildcard on. */
    public enum Length {
      HOUR(java.time.Duration.ofHours(1), 13, ":*"),
      TEN_MINUTES(java.time.Duration.ofMinutes(10), 15, "*"),
      MINUTE(java.time.Duration.ofMinutes(1), 16, "*");

      private final java.time.Duration duration;
      private final int prefix;
      private final String wildcard;

      Length(java.time.Duration duration, int prefix, String wildcard) {
        this.duration = duration;
        this.prefix = prefix;
        this.wildcard = wildcard;
      }

      public java.time.Duration duration() {
        return duration;
      }
    }

    public LaunchSpan {
      Objects.requireNonNull(length, "length");
      long seconds = length.duration.toSeconds();
      if (start.getEpochSecond() % seconds != 0 || start.getNano() != 0) {
        throw new IllegalArgumentException("a span of " + length + " must start on one: " + start);
      }
    }

    /** The span of {@code length} holding {@code instant}. */
    public static LaunchSpan of(Instant instant, Length length) {
      long seconds = length.duration.toSeconds();
      return new LaunchSpan(Instant.ofEpochSecond(Math.floorDiv(instant.getEpochSecond(), seconds) * seconds),
          length);
    }

    /** The spans of {@code length} from the one holding {@code from} to the one holding {@code to}, in order. */
    public static List<LaunchSpan> covering(Instant from, Instant to, Length length) {
      List<LaunchSpan> spans = new java.util.ArrayList<>();
      for (LaunchSpan span = of(from, length); !span.start.isAfter(to);
          span = new LaunchSpan(span.start.plus(length.duration), length)) {
        spans.add(span);
      }
      return spans;
    }

    /** The {@code launch-time} filter value: EC2's format ({@code 2021-09-29T11:04:43.305Z}) cut to the span. */
    public String wildcard() {
      return start.toString().substring(0, length.prefix) + length.wildcard;
    }

    public boolean contains(Instant launchTime) {
      return !launchTime.isBefore(start) && launchTime.isBefore(start.plus(length.duration));
    }
  }

  /**
   * Every instance (any state) launched with any of these ClientTokens: EC2's own record of the tokens, one
   * DescribeInstances call filtered by {@code client-token} with every value (filter values are or-ed), paginated
   * fully. An empty list asks nothing.
   */
  List<FoundInstance> findByClientTokens(List<String> clientTokens);

  /**
   * Asks EC2 whether this RunInstances call would be allowed, launching nothing ({@code DryRun=true}): EC2 checks
   * the caller's permission for these parameters (image, type, subnet, tags, as IAM conditions see them) and answers
   * {@code DryRunOperation} when allowed, {@code UnauthorizedOperation} when denied. Any other answer is thrown
   * unchanged (an account fault such as {@code AuthFailure}, throttling, an outage).
   *
   * @return true when allowed, false when denied
   */
  boolean dryRunAllowed(RunInstancesRequest request);

  /** How instances are found for a token. */
  enum TokenFilter {
    /** {@code tag:launch-worker:token}: written atomically by RunInstances; works on emulators ignoring tokens. */
    TAG,
    /** {@code client-token}: EC2's own record of the token. */
    CLIENT_TOKEN
  }

  /**
   * The root device name of an image ({@code /dev/xvda}, {@code /dev/sda1}): where a root volume's block device
   * mapping must point. One DescribeImages call; throws EC2's error ({@code InvalidAMIID.NotFound}) unchanged.
   */
  String rootDeviceName(String imageId);

  /** What RunInstances answered, and where the first instance landed as EC2 said. */
  record Reservation(String reservationId, List<Outcome.InstanceRef> instances, Optional<Placement> placement) {
    public Reservation {
      instances = List.copyOf(instances);
      Objects.requireNonNull(placement, "placement");
    }

    public Reservation(String reservationId, List<Outcome.InstanceRef> instances) {
      this(reservationId, instances, Optional.empty());
    }
  }

  /**
   * An instance found by token, with the request hash tag it was launched with, if any, and where it landed.
   */
  record FoundInstance(String instanceId, String reservationId, String state, Optional<String> requestHash,
      Optional<Placement> placement) {
    public FoundInstance {
      Objects.requireNonNull(requestHash, "requestHash");
      Objects.requireNonNull(placement, "placement");
    }

    public FoundInstance(String instanceId, String reservationId, String state, Optional<String> requestHash) {
      this(instanceId, reservationId, state, requestHash, Optional.empty());
    }
  }

  /**
   * An instance carrying the worker's token tag, when EC2 says it was launched (its last start), and, when EC2 said,
   * the parameters it was launched with.
   */
  record TaggedLaunch(String instanceId, String token, Instant launchTime, Optional<LaunchedWith> launchedWith) {
    public TaggedLaunch {
      Objects.requireNonNull(launchedWith, "launchedWith");
    }

    public TaggedLaunch(String instanceId, String token, Instant launchTime) {
      this(instanceId, token, launchTime, Optional.empty());
    }
  }

  /**
   * What an instance found in a count was launched with, as far as a DryRun of the same launch needs it: the
   * parameters IAM conditions look at, and its tags (the worker's and the producer's; {@code workerTags} holds all).
   */
  record LaunchedWith(String imageId, String instanceType, Optional<String> subnetId, List<String> securityGroupIds,
      Optional<String> keyName, Optional<String> instanceProfileArn, java.util.Map<String, String> workerTags) {
    public LaunchedWith {
      securityGroupIds = List.copyOf(securityGroupIds);
      workerTags = java.util.Map.copyOf(workerTags);
    }
  }

  /** One page of {@link #findTaggedLaunches}. */
  record TaggedLaunchPage(List<TaggedLaunch> instances, Optional<String> nextPageToken) {
    public TaggedLaunchPage {
      instances = List.copyOf(instances);
    }
  }
}
