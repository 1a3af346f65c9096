package io.launchworker.sandbox.ec2;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/** Counts what the dispatcher sees; thread-safe, lock-free. Launch counts come from the store. */
final class StatsRecorder {
  private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> runCallsPerToken = new ConcurrentHashMap<>();
  private final AtomicLong throttled = new AtomicLong();
  private final AtomicLong injected = new AtomicLong();
  private final Map<String, LongAdder> injectedPerCode = new ConcurrentHashMap<>();
  private final AtomicLong dropped = new AtomicLong();
  private final Map<String, LongAdder> refusalsPerCode = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> dryRunsPerAnswer = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> denialsPerCode = new ConcurrentHashMap<>();
  private volatile Consumer<String> arrivals = token -> { };

  void call(String action) {
    calls.computeIfAbsent(action, a -> new LongAdder()).increment();
  }

  void runInstancesCall(String clientToken) {
    if (clientToken != null) {
      runCallsPerToken.computeIfAbsent(clientToken, t -> new LongAdder()).increment();
      arrivals.accept(clientToken);
    }
  }

  void onRunInstancesArrival(Consumer<String> listener) {
    arrivals = listener;
  }

  void throttled() {
    throttled.incrementAndGet();
  }

  void injectedError(String code) {
    injected.incrementAndGet();
    injectedPerCode.computeIfAbsent(code, c -> new LongAdder()).increment();
  }

  void droppedAnswer() {
    dropped.incrementAndGet();
  }

  void capacityRefusal(String code) {
    refusalsPerCode.computeIfAbsent(code, c -> new LongAdder()).increment();
  }

  void dryRunAnswer(String code) {
    dryRunsPerAnswer.computeIfAbsent(code, c -> new LongAdder()).increment();
  }

  void denial(String code) {
    denialsPerCode.computeIfAbsent(code, c -> new LongAdder()).increment();
  }

  Ec2Stats snapshot(InstanceStore store) {
    Map<String, Long> perAction = new TreeMap<>();
    calls.forEach((action, count) -> perAction.put(action, count.sum()));
    Map<String, Integer> perToken = new TreeMap<>();
    runCallsPerToken.forEach((token, count) -> perToken.put(token, count.intValue()));
    Map<String, Set<String>> reservationsPerToken = store.reservationsPerToken();
    List<String> duplicated = reservationsPerToken.entrySet().stream()
        .filter(e -> e.getValue().size() > 1)
        .map(Map.Entry::getKey)
        .toList();
    return new Ec2Stats(perAction, perToken, store.launchedCount(), reservationsPerToken.size(), duplicated,
        throttled.get(), injected.get(), dropped.get(), sums(injectedPerCode), sums(refusalsPerCode),
        sums(dryRunsPerAnswer), sums(denialsPerCode));
  }

  private static Map<String, Long> sums(Map<String, LongAdder> counters) {
    Map<String, Long> sums = new TreeMap<>();
    counters.forEach((key, count) -> sums.put(key, count.sum()));
    return sums;
  }
}
