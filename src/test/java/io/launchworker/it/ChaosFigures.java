package io.launchworker.it;

import io.launchworker.sandbox.ec2.Ec2Stats;
import io.launchworker.sandbox.LaunchesByToken;
import io.launchworker.sandbox.ec2.EmulatedInstance;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What a chaos run did and how it ended, computed from what was sent, what the EC2 emulator holds and what the
 * DLQ holds; {@link #render()} prints it as one block for the build log. Immutable.
 *
 * @param instancesPerToken instances per {@code launch-worker:token} tag (the request's token, whichever shape
 *     launched it and under which ClientToken), over every instance the emulator launched
 * @param duplicates request tokens whose instances belong to more than one reservation: launched twice
 * @param instancesPerType instances per instance type
 * @param launched requests meant to launch that have at least one instance
 * @param rejected requests meant to be rejected that are in the DLQ with exactly the expected reason
 * @param lost requests neither launched nor dead-lettered
 * @param misplaced requests that ended the wrong way: a launch dead-lettered, a reject launched, a wrong reason
 * @param extraDeadLetters DLQ messages beyond one per rejected request (a reject redelivered after a crash
 *     between its DLQ send and its delete is dead-lettered again)
 */
record ChaosFigures(
    long seed,
    int requests,
    int expectedRejects,
    int kills,
    Duration elapsed,
    Ec2Stats stats,
    Map<String, Long> instancesPerToken,
    List<String> duplicates,
    Map<String, Long> instancesPerType,
    int launched,
    int rejected,
    Set<String> lost,
    Set<String> misplaced,
    int deadLetters,
    int extraDeadLetters,
    List<DeadLetters.DeadLetter> copies) {

  static ChaosFigures of(long seed, RequestMix.Sent sent, int kills, Duration elapsed, Ec2Stats stats,
      List<EmulatedInstance> instances, List<DeadLetters.DeadLetter> dlq) {
    Map<String, Long> perToken = instances.stream()
        .collect(Collectors.groupingBy(ChaosFigures::token, TreeMap::new, Collectors.counting()));
    Map<String, Long> perType = instances.stream()
        .collect(Collectors.groupingBy(EmulatedInstance::instanceType, TreeMap::new, Collectors.counting()));
    Map<String, String> deadByOriginal = DeadLetters.byOriginalId(dlq);
    Set<String> launched = sent.launches().stream().filter(perToken::containsKey).collect(Collectors.toSet());
    Set<String> rejected = sent.rejects().entrySet().stream()
        .filter(e -> e.getValue().equals(deadByOriginal.get(e.getKey())))
        .map(Map.Entry::getKey).collect(Collectors.toSet());
    Set<String> lost = new HashSet<>(sent.launches());
    lost.addAll(sent.rejects().keySet());
    lost.removeAll(perToken.keySet());
    lost.removeAll(deadByOriginal.keySet());
    Set<String> misplaced = new HashSet<>();
    sent.launches().stream().filter(deadByOriginal::containsKey).forEach(misplaced::add);
    sent.rejects().keySet().stream().filter(perToken::containsKey).forEach(misplaced::add);
    sent.rejects().forEach((id, reason) -> {
      if (deadByOriginal.containsKey(id) && !reason.equals(deadByOriginal.get(id))) {
        misplaced.add(id);
      }
    });
    return new ChaosFigures(seed, sent.total(), sent.rejects().size(), kills, elapsed, stats, perToken,
        LaunchesByToken.of(instances).duplicated(), perType, launched.size(), rejected.size(), Set.copyOf(lost), Set.copyOf(misplaced), dlq.size(),
        dlq.size() - deadByOriginal.size(), copiesOfOneReject(dlq));
  }

  /** Every DLQ message whose original message was dead-lettered more than once. */
  private static List<DeadLetters.DeadLetter> copiesOfOneReject(List<DeadLetters.DeadLetter> dlq) {
    Map<String, Long> perOriginal = dlq.stream()
        .collect(Collectors.groupingBy(DeadLetters.DeadLetter::originalMessageId, Collectors.counting()));
    return dlq.stream().filter(d -> perOriginal.get(d.originalMessageId()) > 1).toList();
  }

  /** The request token an instance carries ({@code launch-worker:token}), whatever ClientToken its shape had. */
  private static String token(EmulatedInstance instance) {
    return instance.tags().getOrDefault("launch-worker:token", "(untagged)");
  }

  /** Tokens with a count of instances other than 1. */
  Map<String, Long> tokensWithOtherThanOneInstance() {
    return instancesPerToken.entrySet().stream().filter(e -> e.getValue() != 1L)
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
  }

  long throttled() {
    return stats.throttledCalls() + stats.injectedErrors("RequestLimitExceeded");
  }

  long internalErrors() {
    return stats.injectedErrors("InternalError");
  }

  /** RunInstances calls per token → how many tokens got that many calls, e.g. {1=440, 2=52, 3=3}. */
  Map<Integer, Long> callsPerTokenHistogram() {
    return stats.runInstancesCallsPerToken().values().stream()
        .collect(Collectors.groupingBy(Function.identity(), TreeMap::new, Collectors.counting()));
  }

  String render() {
    String nl = System.lineSeparator();
    StringBuilder out = new StringBuilder(nl).append("==== chaos run (seed ").append(seed).append(") ====")
        .append(nl);
    line(out, "requests sent", requests);
    line(out, "  of which must be rejected", expectedRejects);
    line(out, "kills (SIGKILL + restart)", kills);
    line(out, "lost answers (dropped after launch)", stats.droppedAnswers());
    line(out, "throttled (RequestLimitExceeded)", throttled());
    line(out, "injected errors (InternalError)", internalErrors());
    line(out, "RunInstances calls", stats.calls("RunInstances"));
    line(out, "DescribeInstances calls", stats.calls("DescribeInstances"));
    line(out, "RunInstances calls per ClientToken", callsPerTokenHistogram());
    line(out, "capacity refusals", stats.capacityRefusals());
    line(out, "instances by type", instancesPerType);
    line(out, "instances", stats.instancesLaunched());
    line(out, "launched", launched);
    line(out, "rejected (DLQ, expected reason)", rejected);
    line(out, "launched + rejected", launched + rejected);
    line(out, "DLQ messages", deadLetters);
    line(out, "  extra copies of a reject", extraDeadLetters);
    copies.forEach(d -> line(out, "    " + d.originalMessageId(), d.reason() + ", receive " + d.receiveCount()));
    line(out, "duplicates (by launch-worker:token)", duplicates().size());
    line(out, "tokens with != 1 instance", tokensWithOtherThanOneInstance().size());
    line(out, "misplaced", misplaced.size());
    line(out, "lost", lost.size());
    line(out, "elapsed", String.format("%.1f s", elapsed.toMillis() / 1000.0));
    return out.append("====").toString();
  }

  private static void line(StringBuilder out, String label, Object value) {
    out.append(String.format("%-40s %s%n", label, value));
  }
}
