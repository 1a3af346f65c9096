package io.launchworker.sim;

import static io.launchworker.sim.FleetSimulation.Worlds.CLASSIC;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Issue 18: the real worker core, several processes of it, in a simulated, seeded world (see {@link FleetSimulation}).
 * {@code -Dsimulation.seeds=N} runs N seeds, {@code -Dsimulation.seed=S} replays one, and
 * {@code -Dsimulation.consistency-window=0s} overrides the consistency window. A failing seed prints its trace and
 * the command that replays it.
 */
class FleetSimulationTest {
  private static final int DEFAULT_SEEDS = 2_000;
  private static final Duration DEFAULT_WINDOW = Duration.ofMinutes(2);

  @Test
  void everySeedKeepsThePromise() {
    Duration window = window().orElse(DEFAULT_WINDOW);
    List<Long> seeds = seeds();
    long started = System.nanoTime();
    List<FleetSimulation.Result> failed = new ArrayList<>();
    long events = 0;
    int messages = 0;
    List<String> residuals = new ArrayList<>();
    // Seeds are independent worlds, each run on one thread at a time: run as many at once as there are cores.
    List<FleetSimulation.Result> results = FleetSimulation.runAll(seeds, window);
    for (FleetSimulation.Result result : results) {
      events += result.events();
      messages += result.messages();
      if (!result.ok()) {
        failed.add(result);
      }
      result.residuals().forEach(r -> residuals.add("seed " + result.seed() + ": " + r));
    }
    System.out.printf("fleet simulation: %d seeds, %d messages, %d events, window %ss, %d failed, %d documented "
        + "residual(s), %.1f s%n", seeds.size(), messages, events, window.toSeconds(), failed.size(),
        residuals.size(), (System.nanoTime() - started) / 1e9);
    residuals.forEach(r -> System.out.println("  residual (copies of one clientToken in flight at once): " + r));
    assertThat(failed.stream().map(FleetSimulation.Result::seed).toList())
        .as(() -> failed.isEmpty() ? "" : report(failed.get(0), window, failed.size())).isEmpty();
  }

  @Test
  void withoutAConsistencyWindowTheSimulationFindsTheBugIssue17Fixed() {
    if (System.getProperty("simulation.seed") != null || window().isPresent()) {
      return; // replaying one seed, or a window chosen on the command line: the other test is the one asked for
    }
    Optional<FleetSimulation.Result> found = Optional.empty();
    for (long seed = 1; seed <= DEFAULT_SEEDS && found.isEmpty(); seed++) {
      FleetSimulation.Result result = FleetSimulation.run(seed, Duration.ZERO);
      if (result.violations().stream().anyMatch(v -> v.startsWith("duplicate") || v.startsWith("launched and"))) {
        found = Optional.of(result);
      }
    }
    assertThat(found).as("a duplicate or a launched-and-rejected request with consistency-window 0s").isPresent();
    System.out.printf("fleet simulation with the window at 0s: seed %d finds %s%n  replay: %s%n",
        found.get().seed(), found.get().violations(), replay(found.get().seed(), Duration.ZERO));
  }

  /**
   * Found by the simulation (seed 11, with reads lagging up to 5 minutes): a redelivery waits its 2-minute window,
   * still sees nothing, and dead-letters a request that launched 4 minutes before. Not a defect of the rule but its
   * assumption: the window must be longer than EC2's read lag (operating.md says how to choose it). Kept as the
   * proof of what the window buys.
   */
  @Test
  void aReadLagLongerThanTheWindowCanStillLaunchTwice() {
    if (System.getProperty("simulation.seed") != null || window().isPresent()) {
      return;
    }
    FleetSimulation.Result lagBeyondWindow = FleetSimulation.run(11, DEFAULT_WINDOW, Duration.ofMinutes(5), CLASSIC);
    FleetSimulation.Result lagWithinWindow = FleetSimulation.run(11, DEFAULT_WINDOW, Duration.ofSeconds(100), CLASSIC);

    assertThat(lagBeyondWindow.violations()).anyMatch(v -> v.startsWith("duplicate") || v.startsWith("launched and"));
    assertThat(lagWithinWindow.violations()).isEmpty();
  }

  /** Seed 449 dead-lettered a request another process had launched; fixed by Settler's hold check. */
  @Test
  void seed449ALongDecisionWhoseMessageWentToAnotherProcessIsNotDeadLettered() {
    assertThat(FleetSimulation.run(449, DEFAULT_WINDOW, FleetSimulation.MAX_LAG, CLASSIC).violations()).isEmpty();
  }

  /**
   * Seeds 7452 and 7701 (of the 100,000-seed run): credentials refused on every call before anything launched; the
   * probe message's look-up met the fault, which did not double the back-off, so the message was received every
   * base-delay until SQS's own redrive took it. Fixed in {@code AccountFaultPause.receiveLimit}.
   */
  @Test
  void seeds7452And7701AProbeMessageRefusedOnItsLookUpDoublesTheBackOff() {
    assertThat(FleetSimulation.run(7452, DEFAULT_WINDOW, FleetSimulation.MAX_LAG, CLASSIC).violations()).isEmpty();
    assertThat(FleetSimulation.run(7701, DEFAULT_WINDOW, FleetSimulation.MAX_LAG, CLASSIC).violations()).isEmpty();
  }

  /**
   * The cap's bound is checked in the worlds where it binds (one varied world in five has a cap of 5 to 12 for 10 to
   * 21 requests), and the check is not vacuous: the same world with workers not given the cap is caught.
   */
  @Test
  void theHourlyCapsBoundIsCheckedWhereTheCapBinds() {
    if (System.getProperty("simulation.seed") != null || window().isPresent()) {
      return;
    }
    long seed = 1;
    FleetSimulation.Result binding = FleetSimulation.run(seed, DEFAULT_WINDOW);
    while (binding.capDeferrals() == 0) {
      binding = FleetSimulation.run(++seed, DEFAULT_WINDOW);
    }
    FleetSimulation.Result overrun =
        FleetSimulation.run(seed, DEFAULT_WINDOW, FleetSimulation.MAX_LAG, FleetSimulation.Worlds.WORKERS_WITHOUT_CAP);

    assertThat(binding.violations()).isEmpty();
    assertThat(binding.cap()).isLessThan(20);
    String capViolation = "hourly cap " + binding.cap() + ": ";
    assertThat(overrun.violations()).anyMatch(v -> v.startsWith(capViolation));
    System.out.printf("fleet simulation: seed %d binds a cap of %d (%d deferrals) and keeps its bound; with workers "
        + "not given the cap: %s%n", seed, binding.cap(), binding.capDeferrals(), overrun.violations());
  }

  @Test
  void oneSeedReplaysTheSameRunEventForEvent() {
    FleetSimulation.Result first = FleetSimulation.run(27, Duration.ZERO);
    FleetSimulation.Result again = FleetSimulation.run(27, Duration.ZERO);

    assertThat(again.trace()).isEqualTo(first.trace());
    assertThat(again.events()).isEqualTo(first.events());
    assertThat(again.violations()).isEqualTo(first.violations());
  }

  private static String report(FleetSimulation.Result result, Duration window, int failures) {
    return failures + " seed(s) failed; the first, seed " + result.seed() + ":\n  " + String.join("\n  ",
        result.violations()) + "\nits last events:\n  " + String.join("\n  ", result.trace()) + "\nreplay: "
        + replay(result.seed(), window);
  }

  private static String replay(long seed, Duration window) {
    return "mvn -B test -Dtest=FleetSimulationTest -Dsimulation.seed=" + seed
        + (window.equals(DEFAULT_WINDOW) ? "" : " -Dsimulation.consistency-window=" + window.toMillis() + "ms");
  }

  private static List<Long> seeds() {
    String one = System.getProperty("simulation.seed");
    if (one != null && !one.isBlank()) {
      return List.of(Long.parseLong(one.trim()));
    }
    int count = Integer.getInteger("simulation.seeds", DEFAULT_SEEDS);
    List<Long> seeds = new ArrayList<>(count);
    for (long s = 1; s <= count; s++) {
      seeds.add(s);
    }
    return seeds;
  }

  private static Optional<Duration> window() {
    String value = System.getProperty("simulation.consistency-window");
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    return Optional.of(io.launchworker.config.ConfigLoader.load(Optional.empty(), java.util.Map.of(),
        java.util.Map.of("launcher.retry.consistency-window", value.trim(), "launcher.queue-url", "https://sqs/q",
            "launcher.dlq-url", "https://sqs/d")).retry().consistencyWindow());
  }
}
