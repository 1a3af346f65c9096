package io.launchworker.sim;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;

/**
 * The faults {@link SimEc2} injects. Random ones are drawn from the simulation's seeded random, and nothing is drawn
 * while a rate is 0:
 * <ul>
 *   <li>a <b>server error</b> before any effect ({@link #errorRate}, {@link #failNext}): {@code InternalError} (500)
 *       or {@code Unavailable} (503), for any operation;
 *   <li>after RunInstances launched (or replayed its token), a <b>server error</b> ({@link #errorAfterLaunchRate}) or
 *       a <b>lost answer</b> ({@link #lostAnswerRate}, an {@code SdkClientException}): the caller cannot tell it
 *       from a failure before the launch;
 *   <li><b>account faults</b> that start and stop on the clock, for chosen operations or all: {@code AuthFailure}
 *       (401), {@code UnauthorizedOperation} (403), or any code given;
 *   <li><b>IAM denials</b> for one instance type or one image: {@code UnauthorizedOperation} for matching
 *       RunInstances calls only, DryRun included, as an IAM condition on {@code ec2:InstanceType} or the image ARN;
 *   <li><b>deregistered images</b>: {@code InvalidAMIID.NotFound} from RunInstances and DescribeImages.
 * </ul>
 *
 * <p>Thread-safe (its own lock; {@link SimEc2} asks with its lock held).
 */
public final class SimEc2Faults {
  private record AccountFault(String code, Set<Ec2Operation> operations, Instant from, Instant until) {}

  private final Clock clock;
  private final RandomGenerator random;
  // Guarded by this.
  private final Map<Ec2Operation, Double> errorRates = new EnumMap<>(Ec2Operation.class);
  private final Map<Ec2Operation, Integer> failNext = new EnumMap<>(Ec2Operation.class);
  private double errorAfterLaunchRate;
  private double lostAnswerRate;
  private final List<AccountFault> accountFaults = new ArrayList<>();
  private final Set<String> deniedTypes = new HashSet<>();
  private final Set<String> deniedImages = new HashSet<>();
  private final Set<String> deregisteredImages = new HashSet<>();

  SimEc2Faults(Clock clock, RandomGenerator random) {
    this.clock = clock;
    this.random = random;
  }

  /** Each call of {@code operation} fails with a 5xx before any effect, with this probability. */
  public synchronized SimEc2Faults errorRate(Ec2Operation operation, double rate) {
    errorRates.put(operation, SqsFaults.checkRate(rate));
    return this;
  }

  /** The next {@code calls} calls of {@code operation} fail with a 5xx before any effect. */
  public synchronized SimEc2Faults failNext(Ec2Operation operation, int calls) {
    failNext.put(operation, calls);
    return this;
  }

  /** A RunInstances that launched (or replayed) answers with a 5xx instead, with this probability. */
  public synchronized SimEc2Faults errorAfterLaunchRate(double rate) {
    errorAfterLaunchRate = SqsFaults.checkRate(rate);
    return this;
  }

  /** A RunInstances that launched (or replayed) loses its answer, with this probability. */
  public synchronized SimEc2Faults lostAnswerRate(double rate) {
    lostAnswerRate = SqsFaults.checkRate(rate);
    return this;
  }

  /** From now until {@link #stopAccountFaults}, the operations (none given: all) fail with this account fault. */
  public synchronized SimEc2Faults accountFault(String code, Ec2Operation... operations) {
    return accountFaultBetween(code, clock.instant(), Instant.MAX, operations);
  }

  /** From {@code from} (inclusive) to {@code until}, the operations (none given: all) fail with this fault. */
  public synchronized SimEc2Faults accountFaultBetween(String code, Instant from, Instant until,
      Ec2Operation... operations) {
    Set<Ec2Operation> ops = operations.length == 0 ? EnumSet.allOf(Ec2Operation.class)
        : EnumSet.copyOf(List.of(operations));
    accountFaults.add(new AccountFault(code, ops, from, until));
    return this;
  }

  /** Ends every account fault now (scheduled ones that have not started are dropped). */
  public synchronized SimEc2Faults stopAccountFaults() {
    Instant now = clock.instant();
    accountFaults.replaceAll(f -> new AccountFault(f.code, f.operations, f.from, now));
    accountFaults.removeIf(f -> !f.until.isAfter(f.from));
    return this;
  }

  /** IAM denies RunInstances (DryRun included) of this instance type. */
  public synchronized SimEc2Faults denyInstanceType(String instanceType) {
    deniedTypes.add(instanceType);
    return this;
  }

  /** IAM denies RunInstances (DryRun included) of this image. */
  public synchronized SimEc2Faults denyImage(String imageId) {
    deniedImages.add(imageId);
    return this;
  }

  /** Lifts every IAM denial of a type or image. */
  public synchronized SimEc2Faults allowAll() {
    deniedTypes.clear();
    deniedImages.clear();
    return this;
  }

  /** The image no longer exists: {@code InvalidAMIID.NotFound}. */
  public synchronized SimEc2Faults deregisterImage(String imageId) {
    deregisteredImages.add(imageId);
    return this;
  }

  /** Turns every fault off. */
  public synchronized SimEc2Faults clear() {
    errorRates.clear();
    failNext.clear();
    errorAfterLaunchRate = 0;
    lostAnswerRate = 0;
    accountFaults.clear();
    allowAll();
    deregisteredImages.clear();
    return this;
  }

  synchronized Optional<Ec2Exception> accountFault(Ec2Operation operation, Instant now) {
    return accountFaults.stream().filter(f -> f.operations.contains(operation) && !now.isBefore(f.from)
        && now.isBefore(f.until)).findFirst().map(f -> Ec2Errors.accountFault(f.code));
  }

  synchronized Optional<Ec2Exception> errorBefore(Ec2Operation operation) {
    int next = failNext.getOrDefault(operation, 0);
    if (next > 0) {
      failNext.put(operation, next - 1);
      return Optional.of(Ec2Errors.serverError(random.nextBoolean()));
    }
    return draw(errorRates.getOrDefault(operation, 0.0))
        ? Optional.of(Ec2Errors.serverError(random.nextBoolean())) : Optional.empty();
  }

  /** What the caller of a RunInstances that launched or replayed is answered instead, if anything. */
  synchronized Optional<RuntimeException> errorAfterLaunch() {
    if (draw(lostAnswerRate)) {
      return Optional.of(Ec2Errors.lostAnswer());
    }
    return draw(errorAfterLaunchRate) ? Optional.of(Ec2Errors.serverError(random.nextBoolean())) : Optional.empty();
  }

  synchronized boolean iamDenies(RunInstancesRequest request) {
    return (request.instanceTypeAsString() != null && deniedTypes.contains(request.instanceTypeAsString()))
        || (request.imageId() != null && deniedImages.contains(request.imageId()));
  }

  synchronized boolean deregistered(String imageId) {
    return imageId != null && deregisteredImages.contains(imageId);
  }

  private boolean draw(double rate) {
    return rate > 0 && random.nextDouble() < rate;
  }
}
