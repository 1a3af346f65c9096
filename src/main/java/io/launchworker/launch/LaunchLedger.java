package io.launchworker.launch;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the hourly cap knows of the last hour's launches, fleet-wide: the instances the last count found in EC2,
 * this worker's own launches that count did not show (EC2 is eventually consistent), reservations in progress,
 * and launches whose answer was lost. Pure bookkeeping on a "now" given by the caller: no I/O, no clock, not
 * thread-safe — {@link HourlyInstanceCap} owns it and guards it with its monitor. {@link #used} is cheap (a
 * binary search and a few sums) because it is asked on every reservation and receive.
 */
final class LaunchLedger {
  static final Duration WINDOW = Duration.ofHours(1);

  /** Instance ID → what the counts found of it: the last full count's, and what incremental ones added since. */
  private Map<String, Ec2Port.TaggedLaunch> counted = Map.of();
  private Set<String> countedTokens = Set.of();
  /** Their launch times (EC2's), sorted. */
  private List<Instant> countedTimes = List.of();
  /** Instance ID → when RunInstances returned it here, oldest first; until a count shows it. */
  private final LinkedHashMap<String, Instant> ownNotCounted = new LinkedHashMap<>();
  /** Token → a launch whose answer was lost: it may have launched, so it counts until a count shows the token. */
  private final Map<String, Claim> answerLost = new HashMap<>();
  /** Token → instances reserved by attempts in progress. */
  private final Map<String, Long> inProgress = new HashMap<>();
  private boolean everCounted;
  /** What the newest instance of the last count was launched with, if EC2 said. */
  private java.util.Optional<Ec2Port.LaunchedWith> newestLaunchedWith = java.util.Optional.empty();

  /** Instances that may have been launched with a token, counted from {@code at}. */
  record Claim(Instant at, int count) {}

  /** A reservation in progress; it takes over the token's lost-answer claim, if any (one token launches once). */
  static final class Entry {
    final String token;
    final int count;
    final Claim replaced;

    private Entry(String token, int count, Claim replaced) {
      this.token = token;
      this.count = count;
      this.replaced = replaced;
    }
  }

  boolean everCounted() {
    return everCounted;
  }

  /** Instances launched in the window ending at {@code now}, as far as this worker can tell. Call expire first. */
  long used(Instant now) {
    long lost = 0;
    for (Map.Entry<String, Claim> claim : answerLost.entrySet()) {
      lost += countedTokens.contains(claim.getKey()) ? 0 : claim.getValue().count();
    }
    return countedSince(now.minus(WINDOW)) + ownNotCounted.size() + inProgressNotCounted() + lost;
  }

  /**
   * This worker's launches other workers may not have counted yet: launched but not in its last count, or in
   * progress. A lost answer is not among them: if it launched, EC2 shows it to every worker alike.
   */
  long notCounted() {
    return ownNotCounted.size() + inProgressNotCounted();
  }

  boolean anyInProgress() {
    return !inProgress.isEmpty();
  }

  /**
   * Reservations in progress, except those whose token the last count already shows: that token has launched,
   * and RunInstances with it launches nothing more (the count may also have run between EC2's answer and
   * {@link #launched}).
   */
  private long inProgressNotCounted() {
    long sum = 0;
    for (Map.Entry<String, Long> e : inProgress.entrySet()) {
      sum += countedTokens.contains(e.getKey()) ? 0 : e.getValue();
    }
    return sum;
  }

  /** How much {@link #used} grows when {@code token} reserves {@code count}. */
  long growthOf(String token, int count) {
    if (countedTokens.contains(token)) {
      return 0;
    }
    Claim lost = answerLost.get(token);
    return lost == null ? count : Math.max(0, count - lost.count());
  }

  Entry reserve(String token, int count) {
    Claim lost = answerLost.remove(token);
    Entry entry = new Entry(token, lost == null ? count : Math.max(count, lost.count()), lost);
    inProgress.merge(token, (long) entry.count, Long::sum);
    return entry;
  }

  /** RunInstances returned these instances for the entry's token. */
  void launched(Entry entry, List<String> instanceIds, Instant now) {
    ended(entry);
    answerLost.remove(entry.token);
    for (String id : instanceIds) {
      // A count may have seen it between EC2's answer and this call.
      if (!counted.containsKey(id)) {
        ownNotCounted.put(id, now);
      }
    }
  }

  /** Nothing was launched by this call; a lost answer it took over counts again. */
  void released(Entry entry) {
    ended(entry);
    if (entry.replaced != null) {
      answerLost.putIfAbsent(entry.token, entry.replaced);
    }
  }

  /** The call failed without saying whether it launched. */
  void answerLost(Entry entry, Instant now) {
    ended(entry);
    answerLost.put(entry.token, new Claim(now, entry.count));
  }

  /**
   * A full count from EC2 found these instances: they replace what earlier counts found. Own launches it shows are
   * now counted with EC2's launch time, and a lost answer whose token it shows is settled: that launch happened and
   * is among them.
   */
  void counted(List<Ec2Port.TaggedLaunch> found) {
    merge(new HashMap<>(), found);
  }

  /**
   * A count of the latest minutes found these instances: they are added to what earlier counts found (an instance
   * never un-launches; one a lagging read left out of this answer is still counted).
   */
  void countedAlso(List<Ec2Port.TaggedLaunch> found) {
    merge(new HashMap<>(counted), found);
  }

  private void merge(Map<String, Ec2Port.TaggedLaunch> byId, List<Ec2Port.TaggedLaunch> found) {
    Ec2Port.TaggedLaunch newest = null;
    for (Ec2Port.TaggedLaunch launch : found) {
      if (launch.launchedWith().isPresent() && (newest == null || launch.launchTime().isAfter(newest.launchTime()))) {
        newest = launch;
      }
      // Kept without what it was launched with (a map of tags each): 20,000 of them would cost megabytes of heap.
      byId.put(launch.instanceId(), launch.launchedWith().isEmpty() ? launch
          : new Ec2Port.TaggedLaunch(launch.instanceId(), launch.token(), launch.launchTime()));
      ownNotCounted.remove(launch.instanceId());
      answerLost.remove(launch.token());
    }
    Set<String> tokens = new HashSet<>();
    List<Instant> times = new ArrayList<>(byId.size());
    for (Ec2Port.TaggedLaunch launch : byId.values()) {
      tokens.add(launch.token());
      times.add(launch.launchTime());
    }
    Collections.sort(times);
    counted = byId;
    countedTokens = tokens;
    countedTimes = times;
    everCounted = true;
    if (newest != null) {
      newestLaunchedWith = newest.launchedWith();
    }
  }

  /** What the newest instance any count found was launched with (kept when a later count finds none). */
  java.util.Optional<Ec2Port.LaunchedWith> newestLaunchedWith() {
    return newestLaunchedWith;
  }

  /** Forgets own launches and lost answers that have left the window ending at {@code now}. */
  void expire(Instant now) {
    Instant cutoff = now.minus(WINDOW);
    Iterator<Instant> oldestFirst = ownNotCounted.values().iterator();
    while (oldestFirst.hasNext() && !oldestFirst.next().isAfter(cutoff)) {
      oldestFirst.remove();
    }
    answerLost.values().removeIf(c -> !c.at().isAfter(cutoff));
  }

  /**
   * How long until {@code count} more fit under {@code max}, as launches leave the window oldest first;
   * reservations in progress are taken to leave last. At least one second. Call expire first.
   */
  Duration untilRoom(int count, int max, Instant now) {
    long excess = used(now) + count - max;
    if (excess <= 0) {
      return Duration.ofSeconds(1);
    }
    Instant cutoff = now.minus(WINDOW);
    List<Instant> launchedAt = new ArrayList<>(countedTimes.subList(firstAfter(cutoff), countedTimes.size()));
    launchedAt.addAll(ownNotCounted.values());
    answerLost.forEach((token, c) -> {
      if (!countedTokens.contains(token)) {
        launchedAt.addAll(Collections.nCopies(c.count(), c.at()));
      }
    });
    Collections.sort(launchedAt);
    for (Instant at : launchedAt) {
      if (--excess <= 0) {
        Duration wait = Duration.between(now, at.plus(WINDOW));
        return wait.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : wait;
      }
    }
    // Only what is in progress, or the request alone, stands in the way: look again after a full window.
    return WINDOW;
  }

  private void ended(Entry entry) {
    inProgress.computeIfPresent(entry.token, (token, sum) -> sum == entry.count ? null : sum - entry.count);
  }

  private long countedSince(Instant cutoff) {
    return countedTimes.size() - firstAfter(cutoff);
  }

  /** Index of the first counted launch time after {@code cutoff}. */
  private int firstAfter(Instant cutoff) {
    int low = 0;
    int high = countedTimes.size();
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (countedTimes.get(mid).isAfter(cutoff)) {
        high = mid;
      } else {
        low = mid + 1;
      }
    }
    return low;
  }
}
