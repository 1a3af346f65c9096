package io.launchworker.bench;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * When each request passed each point, in {@link System#nanoTime()} of this JVM: SendMessage returned, the
 * first RunInstances with its token arrived at the emulator, its outcome was decided. Keyed by SQS message ID,
 * which is the token for the bench's requests and the ClientToken of their first shape (a later shape's
 * ClientToken is noted too, and matches no message). Thread-safe: written by the sender, emulator server threads and
 * worker handler threads at once.
 */
final class Timeline {
  private final LongSupplier nanoTime;
  private final Map<String, Long> sent = new ConcurrentHashMap<>();
  private final Map<String, Long> arrived = new ConcurrentHashMap<>();
  private final Map<String, Long> decided = new ConcurrentHashMap<>();

  Timeline(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  void sent(String messageId, long atNanos) {
    sent.put(messageId, atNanos);
  }

  /** The first arrival counts; a retried RunInstances is not a new pickup. */
  void arrived(String token) {
    arrived.putIfAbsent(token, nanoTime.getAsLong());
  }

  void decided(String messageId) {
    decided.putIfAbsent(messageId, nanoTime.getAsLong());
  }

  int sentCount() {
    return sent.size();
  }

  /** The message IDs sent so far: the tokens of the bench's requests. A copy. */
  Set<String> sentIds() {
    return Set.copyOf(sent.keySet());
  }

  boolean hasArrived(String messageId) {
    return arrived.containsKey(messageId);
  }

  boolean isDecided(String messageId) {
    return decided.containsKey(messageId);
  }

  int decidedCount() {
    return decided.size();
  }

  /** Send returned → RunInstances arrived, over the requests that have both, in milliseconds. */
  Percentiles pickup() {
    return between(arrived);
  }

  /** Send returned → outcome decided, in milliseconds. */
  Percentiles endToEnd() {
    return between(decided);
  }

  private Percentiles between(Map<String, Long> later) {
    double[] millis = sent.entrySet().stream()
        .filter(e -> later.containsKey(e.getKey()))
        .mapToDouble(e -> (later.get(e.getKey()) - e.getValue()) / 1e6)
        .toArray();
    return Percentiles.of(millis);
  }

  /**
   * Where a drain's time went, from the first RunInstances arrivals: {@code beginNanos} is when sending began,
   * {@code drainedNanos} when the queue was found empty.
   */
  Phases phases(long beginNanos, long drainedNanos) {
    long[] times = arrived.values().stream().mapToLong(Long::longValue).sorted().toArray();
    if (times.length == 0) {
      return Phases.NONE;
    }
    double steady = Double.NaN;
    int from = times.length / 10;
    int to = times.length * 9 / 10 - 1;
    if (to - from >= Phases.LEAST_STEADY && times[to] > times[from]) {
      steady = (to - from) / ((times[to] - times[from]) / 1e9);
    }
    return new Phases((times[0] - beginNanos) / 1e9, (drainedNanos - times[times.length - 1]) / 1e9, steady);
  }

  /**
   * A drain in three parts: its start, its middle and its end.
   *
   * @param firstLaunchSeconds sending began -> the first RunInstances arrived (the worker's start on the queue)
   * @param tailSeconds the last first RunInstances arrived -> the queue was empty: at least the slowest of the last
   *     launches, whatever the worker does
   * @param steadyRequestsPerSecond first RunInstances arrivals per second from the 10th to the 90th percentile: the
   *     rate between the start and the tail (NaN with fewer than {@link #LEAST_STEADY} arrivals between them)
   */
  record Phases(double firstLaunchSeconds, double tailSeconds, double steadyRequestsPerSecond) {
    /** Below this many arrivals between the percentiles a rate says little. */
    static final int LEAST_STEADY = 50;
    static final Phases NONE = new Phases(Double.NaN, Double.NaN, Double.NaN);
  }

  /** p50 and p99 of a sample (nearest rank), in milliseconds; count 0 when nothing was measured. */
  record Percentiles(int count, double p50, double p99) {
    static Percentiles of(double[] sample) {
      if (sample.length == 0) {
        return new Percentiles(0, Double.NaN, Double.NaN);
      }
      double[] sorted = sample.clone();
      Arrays.sort(sorted);
      return new Percentiles(sorted.length, rank(sorted, 0.50), rank(sorted, 0.99));
    }

    private static double rank(double[] sorted, double q) {
      int index = (int) Math.ceil(q * sorted.length) - 1;
      return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
  }
}
