package io.launchworker.launch;

import io.launchworker.ops.WorkerMetrics;
import io.launchworker.message.Outcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet's rolling one-hour cap on instances: the blast radius of a runaway producer, held across replicas and
 * restarts. EC2 is the ledger: {@code used} = the instances carrying the {@code launch-worker:token} tag key that
 * EC2 shows launched in the last hour, plus this worker's own launches EC2 does not show yet, reservations in
 * progress, and launches whose answer was lost (they may have launched) until a count shows their token.
 *
 * <p>Until the first count from EC2 succeeds the cap is full: a restarted worker sees the hour's launches before
 * it launches anything. A count vouches for a little more than itself: before a reservation that would leave
 * less than a tenth of the cap plus the request, or would make this worker's launches not yet counted more than
 * that, the cap is counted again, synchronously. So no worker launches more than {@code max/10 + maxCount}
 * that the others may not have seen: with R replicas the hour holds at most {@code max + (R-1) * (max/10 +
 * maxCount)} instances (a cap of 10, single instances, two replicas: 12), plus whatever EC2's eventual consistency
 * hides from a count.
 *
 * <p>Threads: handlers reserve and settle; the worker's scheduler calls {@link #refresh()} every
 * {@link #REFRESH_INTERVAL}; the poller asks {@link #hasRoomFor}. Counts are serialized by {@link LaunchCounter}: a
 * handler that needs one waits for a count that started after it asked, so concurrent handlers share one
 * look-up. The state is guarded by this object's monitor, which is never held while calling EC2.
 */
public final class HourlyInstanceCap {
  private static final Logger log = LoggerFactory.getLogger(HourlyInstanceCap.class);
  /**
   * How often the scheduler counts: other replicas' launches show within it, and a failed first count (nothing
   * launches until one succeeds) is tried again within it. Six DescribeInstances a minute, against EC2's
   * default of 20 a second for the account.
   */
  public static final Duration REFRESH_INTERVAL = Duration.ofSeconds(10);
  /** A handler over its uncounted allowance waits at most this long for its own launches to end or show, ... */
  private static final Duration OWN_LAUNCH_WAIT = Duration.ofSeconds(1);
  /** ... and with none in progress, this many times: then it defers, as EC2 is not showing them. */
  private static final int MAX_UNSEEN_WAITS = 5;

  private final int maxPerHour;
  private final Clock clock;
  private final LaunchCounter counter;
  // Guarded by this.
  private final LaunchLedger ledger = new LaunchLedger();
  // Guarded by this.
  private String lastCountError = "";
  private volatile boolean binding = true;
  /** Written under this object's monitor after each count; read without it (the account pause asks). */
  private volatile Optional<Ec2Port.LaunchedWith> newestCounted = Optional.empty();
  /** Told of every failed count (an account fault there pauses launching). Called holding no lock of this. */
  private final java.util.function.Consumer<RuntimeException> countFailures;
  /**
   * How a handler waits for its own launches to end or show: empty waits on this object's monitor, woken by any
   * change; a simulated world gives a wait in its virtual time, which cannot release a monitor.
   */
  private final Optional<ConsistencyWindow.Waiter> ownLaunchWaiter;

  public HourlyInstanceCap(int maxPerHour, Ec2Port ec2, Ec2Budget budget, Clock clock, WorkerMetrics metrics) {
    this(maxPerHour, ec2, budget, clock, metrics, e -> {});
  }

  public HourlyInstanceCap(int maxPerHour, Ec2Port ec2, Ec2Budget budget, Clock clock, WorkerMetrics metrics,
      java.util.function.Consumer<RuntimeException> countFailures) {
    this(maxPerHour, ec2, budget, clock, metrics, countFailures, Optional.empty());
  }

  /** As above, waiting for its own launches with {@code ownLaunchWaiter} (in a world's time) when given. */
  public HourlyInstanceCap(int maxPerHour, Ec2Port ec2, Ec2Budget budget, Clock clock, WorkerMetrics metrics,
      java.util.function.Consumer<RuntimeException> countFailures,
      Optional<ConsistencyWindow.Waiter> ownLaunchWaiter) {
    this.maxPerHour = maxPerHour;
    this.clock = clock;
    this.countFailures = countFailures;
    this.ownLaunchWaiter = ownLaunchWaiter;
    this.counter = new LaunchCounter(ec2, budget.describe(), clock, metrics, this::counted, this::countFailed);
  }

  /** A claim on part of the cap for one launch attempt, to be ended exactly once (later calls are ignored). */
  public final class Reservation {
    private final LaunchLedger.Entry entry;
    // Guarded by HourlyInstanceCap.this.
    private boolean ended;

    private Reservation(LaunchLedger.Entry entry) {
      this.entry = entry;
    }

    /** RunInstances returned these instances. */
    public void launched(List<Outcome.InstanceRef> instances) {
      end(() -> ledger.launched(entry, instances.stream().map(Outcome.InstanceRef::instanceId).toList(),
          clock.instant()));
    }

    /** Nothing was launched: the call was not made, or failed in a way that proves it, or found earlier launches. */
    public void release() {
      end(() -> ledger.released(entry));
    }

    /** The call failed without an answer (network, 5xx, SDK error): it may have launched; counts until settled. */
    public void answerLost() {
      end(() -> ledger.answerLost(entry, clock.instant()));
    }

    private void end(Runnable change) {
      synchronized (HourlyInstanceCap.this) {
        if (!ended) {
          ended = true;
          change.run();
          HourlyInstanceCap.this.notifyAll();
        }
      }
    }
  }

  /**
   * Reserves {@code count} instances for a launch with {@code token}, or returns null when the cap has no room
   * (then {@link #deferral} says for how long). May block: to count from EC2 first (near the cap, or when this
   * worker's uncounted launches would exceed their allowance), or while its own launches in progress settle.
   */
  public Reservation tryReserve(String token, int count) {
    boolean fresh = false;
    boolean waitOutside = false;
    int unseenWaits = 0;
    try {
      while (true) {
        long ticket = counter.ticket();
        synchronized (this) {
          Instant now = clock.instant();
          ledger.expire(now);
          if (ledger.everCounted()) {
            long after = ledger.used(now) + ledger.growthOf(token, count);
            if (after > maxPerHour) {
              return refuse();
            }
            boolean overAllowance = overAllowance(count);
            if (!overAllowance && (fresh || !nearCap(after, count))) {
              binding = false;
              return new Reservation(ledger.reserve(token, count));
            }
            if (fresh) {
              // Counted just now, and this worker's own launches are not in EC2's answer yet: wait for those in
              // progress to end, or briefly for finished ones to show, then count again.
              if (!ledger.anyInProgress() && unseenWaits++ == MAX_UNSEEN_WAITS) {
                return refuse();
              }
              if (ownLaunchWaiter.isEmpty()) {
                wait(OWN_LAUNCH_WAIT.toMillis());
                fresh = false;
                continue;
              }
              waitOutside = true;
            }
          }
        }
        if (waitOutside) {
          if (!ownLaunchWaiter.get().await(OWN_LAUNCH_WAIT, () -> false)) {
            return refuse();
          }
          waitOutside = false;
          fresh = false;
          continue;
        }
        if (!counter.countSince(ticket)) {
          return refuse();
        }
        fresh = true;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return refuse();
    }
  }

  /** What to do with a request the cap refused: defer it until there is room, or for a refresh if it cannot count. */
  public synchronized Outcome deferral(int count) {
    Instant now = clock.instant();
    ledger.expire(now);
    long used = ledger.used(now);
    if (!ledger.everCounted() || used + count <= maxPerHour) {
      return Outcome.deferred(REFRESH_INTERVAL, "hourly instance cap: the last hour's launches could not be "
          + "counted from EC2" + (lastCountError.isEmpty() ? " (own launches not showing)" : ": " + lastCountError));
    }
    Duration wait = ledger.untilRoom(count, maxPerHour, now);
    return Outcome.deferred(wait, "hourly instance cap " + maxPerHour + " reached (" + used
        + " launched in the last hour, counted from EC2 for the fleet); next room in " + wait.toSeconds() + "s");
  }

  /**
   * Whether {@code count} more may launch now. False until the first count from EC2 succeeded, and while counts
   * fail and a launch would need one. Never blocks.
   */
  public synchronized boolean hasRoomFor(int count) {
    Instant now = clock.instant();
    ledger.expire(now);
    boolean room = ledger.everCounted() && ledger.used(now) + count <= maxPerHour && !stuckOnFailedCounts(count, now);
    if (!room) {
      binding = true;
    }
    return room;
  }

  /** Counts from EC2 now, unless a count is already running (its answer is as fresh). For the scheduler. */
  public void refresh() {
    counter.refresh();
  }

  /**
   * Why the worker takes no work because of the cap, if so: before the first count from EC2 succeeded, and while
   * counts fail and a launch would need one. (A full cap is being busy, not broken.)
   */
  public synchronized Optional<String> notReadyBecause() {
    if (!ledger.everCounted()) {
      return Optional.of("hourly instance cap: this hour's launches not counted from EC2 yet"
          + (lastCountError.isEmpty() ? "" : "; last count failed: " + lastCountError));
    }
    Instant now = clock.instant();
    ledger.expire(now);
    if (stuckOnFailedCounts(1, now)) {
      return Optional.of("hourly instance cap: counting from EC2 fails (" + lastCountError + ") and the next "
          + "launch needs a count");
    }
    return Optional.empty();
  }

  /** Instances launched in the last hour as this worker sees the fleet (the gauge). */
  public synchronized long usedInLastHour() {
    Instant now = clock.instant();
    ledger.expire(now);
    return ledger.used(now);
  }

  /**
   * Whether the cap holds launches back: set when it refuses a reservation or a receive, or is full or not yet
   * counted; cleared by the next reservation it grants (or a first count with room).
   */
  public boolean binding() {
    return binding;
  }

  public int maxPerHour() {
    return maxPerHour;
  }

  /** A reservation leaving less than this room counts from EC2 first; see the class comment. */
  private long margin(int count) {
    return maxPerHour / 10 + count;
  }

  private boolean nearCap(long usedAfter, int count) {
    return maxPerHour - usedAfter < margin(count);
  }

  /** This worker's launches EC2 has not shown in a count would exceed what one count vouches for. */
  private boolean overAllowance(int count) {
    return ledger.notCounted() + count > margin(count);
  }

  /** The last count failed and launching {@code count} would need a new one. Guarded by this. */
  private boolean stuckOnFailedCounts(int count, Instant now) {
    return !lastCountError.isEmpty()
        && (overAllowance(count) || nearCap(ledger.used(now) + count, count));
  }

  private Reservation refuse() {
    binding = true;
    return null;
  }

  /** A count from EC2 succeeded (called by the counter, holding its lock). */
  private synchronized void counted(LaunchCounter.Count count) {
    boolean first = !ledger.everCounted();
    if (count.full()) {
      ledger.counted(count.found());
    } else {
      ledger.countedAlso(count.found());
    }
    newestCounted = ledger.newestLaunchedWith();
    Instant now = clock.instant();
    ledger.expire(now);
    long used = ledger.used(now);
    if (first || used >= maxPerHour) {
      binding = used >= maxPerHour;
    }
    if (first || !lastCountError.isEmpty()) {
      log.info("hourly instance cap counted from EC2: {} of {} launched in the last hour", used, maxPerHour);
    }
    lastCountError = "";
    notifyAll();
  }

  private void countFailed(RuntimeException e) {
    recordCountFailure(e.toString());
    countFailures.accept(e);
  }

  /** What the newest worker-tagged instance a count found was launched with: a launch EC2 allowed lately. */
  public Optional<Ec2Port.LaunchedWith> newestCountedLaunch() {
    return newestCounted;
  }

  private synchronized void recordCountFailure(String error) {
    if (lastCountError.isEmpty()) {
      log.warn("counting the hourly instance cap from EC2 failed (the worker launches nothing that needs a count "
          + "until one succeeds): {}", error);
    }
    lastCountError = error;
  }
}
