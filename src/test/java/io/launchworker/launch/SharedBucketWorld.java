package io.launchworker.launch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Replicas sharing one EC2 bucket, on a fake clock: each replica is an adaptive {@link RateGate} with a backlog (it
 * calls whenever its gate gives a token), each call reaches EC2's bucket after a seeded latency and its answer
 * (launched or throttled) comes back after another. The replica count changes by phases, as replicas join and leave
 * a drain. Deterministic for a seed; single-threaded.
 */
final class SharedBucketWorld {
  /** What one phase measured. */
  record Phase(int replicas, double seconds, long launches, long throttled, long calls, double largestGapSeconds,
      double refillPerSecond) {
    double shareOfRefill() {
      return launches / (refillPerSecond * seconds);
    }

    double throttledShare() {
      return calls == 0 ? 0 : (double) throttled / calls;
    }
  }

  private record Event(long at, long seq, Runnable action) {}

  private final int burst;
  private final long minLatencyNanos;
  private final long latencySpreadNanos;
  private final double refill;
  private final SplittableRandom random;
  private final long[] now = {0};
  private final PriorityQueue<Event> events = new PriorityQueue<>((a, b) ->
      a.at() != b.at() ? Long.compare(a.at(), b.at()) : Long.compare(a.seq(), b.seq()));
  private final List<Replica> replicas = new ArrayList<>();
  private final List<Long> launches = new ArrayList<>();
  private final List<Long> throttles = new ArrayList<>();
  private final TokenBucket ec2;
  private long seq;

  private final class Replica {
    final RateGate gate = RateGate.adaptive(burst, refill, () -> now[0], (monitor, d) -> {
      throw new AssertionError("the world never blocks");
    });
    boolean alive = true;

    void tryCall() {
      if (!alive) {
        return;
      }
      Duration wait = gate.tryAcquire();
      if (!wait.isZero()) {
        at(now[0] + wait.toNanos(), this::tryCall);
        return;
      }
      long sent = now[0];
      at(now[0] + latency(), () -> arrive(this, sent));
      at(now[0] + 1, this::tryCall);
    }
  }

  SharedBucketWorld(int burst, double refill, long seed) {
    this(burst, refill, seed, Duration.ofMillis(25), Duration.ofMillis(100));
  }

  /** {@code minLatency}–{@code maxLatency} one way (a call's round trip is twice that). */
  SharedBucketWorld(int burst, double refill, long seed, Duration minLatency, Duration maxLatency) {
    this.minLatencyNanos = minLatency.toNanos();
    this.latencySpreadNanos = maxLatency.toNanos() - minLatency.toNanos();
    this.burst = burst;
    this.refill = refill;
    this.random = new SplittableRandom(seed);
    this.ec2 = new TokenBucket(burst, refill, 0);
  }

  /** The gate of each replica alive now, oldest first. */
  List<RateGate> gates() {
    return replicas.stream().filter(r -> r.alive).map(r -> r.gate).toList();
  }

  /** Runs one phase of {@code seconds} with {@code count} replicas (starting or stopping the newest as needed). */
  Phase phase(int count, double seconds) {
    long start = now[0];
    long end = start + (long) (seconds * 1e9);
    List<Replica> alive = replicas.stream().filter(r -> r.alive).toList();
    for (int i = alive.size(); i < count; i++) {
      Replica replica = new Replica();
      replicas.add(replica);
      at(now[0] + Duration.ofSeconds(1).toNanos(), replica::tryCall); // a JVM starting
    }
    for (int i = alive.size() - 1; i >= count; i--) {
      alive.get(i).alive = false;
    }
    int launchesBefore = launches.size();
    int throttlesBefore = throttles.size();
    while (!events.isEmpty() && events.peek().at() < end) {
      Event next = events.poll();
      now[0] = next.at();
      next.action().run();
    }
    now[0] = end;
    List<Long> launched = launches.subList(launchesBefore, launches.size());
    long gap = 0;
    long previous = start;
    for (long at : launched) {
      gap = Math.max(gap, at - previous);
      previous = at;
    }
    gap = Math.max(gap, end - previous);
    long throttled = throttles.size() - throttlesBefore;
    return new Phase(count, seconds, launched.size(), throttled, launched.size() + throttled, gap / 1e9, refill);
  }

  private void arrive(Replica replica, long sent) {
    boolean admitted = ec2.waitFor(0, now[0]).isZero();
    if (admitted) {
      ec2.take(now[0]);
      launches.add(now[0]);
    } else {
      throttles.add(now[0]);
    }
    at(now[0] + latency(), () -> {
      if (admitted) {
        replica.gate.succeeded();
      } else {
        replica.gate.throttled(sent);
      }
    });
  }

  private long latency() {
    return minLatencyNanos + (latencySpreadNanos == 0 ? 0 : random.nextLong(latencySpreadNanos + 1));
  }

  private void at(long at, Runnable action) {
    events.add(new Event(at, seq++, action));
  }
}
