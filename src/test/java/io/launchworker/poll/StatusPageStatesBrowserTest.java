package io.launchworker.poll;

import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.message.Decision;
import io.launchworker.message.Outcome;
import io.launchworker.ops.AdminServer;
import io.launchworker.ops.RecentOutcomes;
import io.launchworker.ops.WorkerHealth;
import io.launchworker.ops.WorkerState;
import io.launchworker.testing.HeadlessChromium;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every state {@link WorkerStatus#choose} can pick, rendered by the status page in a real headless Chromium: the
 * state line carries the state's name, detail and colour. The admin server asks a stand-in health whose state is
 * set per case; the outcome rows include a deferred and an expired decision, reported out of time order.
 *
 * <p>Skips, saying why, when no {@code chromium} is installed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatusPageStatesBrowserTest {
  /** The first fetch of /status.json and its rendering; no refresh is needed. */
  private static final int VIRTUAL_TIME_MILLIS = 2000;
  private static final WorkerStatus.CapUse ROOM = new WorkerStatus.CapUse(false, 7, 50);
  private static final WorkerStatus.CapUse FULL = new WorkerStatus.CapUse(true, 50, 50);

  private final AtomicReference<WorkerState> state = new AtomicReference<>();
  private HeadlessChromium chromium;
  private AdminServer server;

  @BeforeAll
  void startTheAdminServer(@TempDir Path dir) throws Exception {
    chromium = HeadlessChromium.find(dir).orElse(null);
    if (chromium == null) {
      return;
    }
    Instant now = Instant.now();
    RecentOutcomes recent = new RecentOutcomes(Clock.systemUTC());
    // Reported out of order, as concurrent handlers may.
    recent.decided(decision("m-deferred", now.minusSeconds(1), Outcome.deferred(Duration.ofMinutes(4),
        "hourly instance cap 50 reached (50 launched in the last hour)")));
    recent.decided(decision("m-launched", now.minusSeconds(3), Outcome.launched("r-1",
        List.of(new Outcome.InstanceRef("i-0123", "pending")))));
    recent.decided(decision("m-expired", now.minusSeconds(2), Outcome.expired(Duration.ofHours(7),
        Duration.ofHours(6))));
    server = AdminServer.start("127.0.0.1", 0, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
        new StateOnly(state), recent);
  }

  @BeforeEach
  void requireChromium() {
    Assumptions.assumeTrue(chromium != null, HeadlessChromium.missing("the status page states browser test"));
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  static Stream<Arguments> states() {
    Stream<Arguments> busyOrReady = Stream.of(
        Arguments.of(WorkerStatus.choose(Readiness.Reason.READY, Optional.empty(), ROOM, 0), "ok"),
        Arguments.of(WorkerStatus.choose(Readiness.Reason.READY, Optional.empty(), FULL, 0), "busy"),
        Arguments.of(WorkerStatus.choose(Readiness.Reason.READY, Optional.empty(), ROOM, 3), "busy"));
    Stream<Arguments> notReady = Stream.of(
        Arguments.of(notReady(Readiness.Reason.ACCOUNT_PAUSED, "UnauthorizedOperation: launches paused"), "bad"),
        Arguments.of(notReady(Readiness.Reason.RECEIVE_FAILING, "receive failing: SqsException: down"), "bad"),
        Arguments.of(notReady(Readiness.Reason.RECEIVE_STALE, "no successful receive from SQS in 30s"), "bad"),
        Arguments.of(notReady(Readiness.Reason.NO_RECEIVE_YET, "no receive from SQS yet"), "warn"),
        Arguments.of(notReady(Readiness.Reason.CAP_NOT_COUNTED, "hourly instance cap: not counted yet"), "warn"),
        Arguments.of(notReady(Readiness.Reason.SHUTTING_DOWN, "shutting down"), "off"));
    return Stream.concat(busyOrReady, notReady);
  }

  private static WorkerState notReady(Readiness.Reason reason, String why) {
    return WorkerStatus.choose(reason, Optional.of(why), ROOM, 0);
  }

  @Test
  void everyReadinessReasonAndEveryReadyStateIsCovered() {
    List<String> names = states().map(a -> ((WorkerState) a.get()[0]).name()).toList();
    List<String> expected = new ArrayList<>(Readiness.Reason.tags());
    expected.addAll(List.of("cap_reached", "consistency_hold"));
    assertThat(names).containsExactlyInAnyOrderElementsOf(expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("states")
  void theStateLineShowsTheStateItsDetailAndItsColour(WorkerState shown, String cssClass) throws Exception {
    state.set(shown);

    String dom = chromium.load("http://127.0.0.1:" + server.port() + "/", VIRTUAL_TIME_MILLIS).dom();

    assertThat(dom).contains("data-loaded=\"true\"");
    assertThat(text(dom, "page-errors")).as("errors the page caught").isEmpty();
    assertThat(dom).contains("<div id=\"state\" class=\"" + cssClass + "\" data-state=\"" + shown.name() + "\">");
    assertThat(text(dom, "state-name")).isEqualTo(shown.name().replace('_', ' '));
    assertThat(text(dom, "state-detail")).isEqualTo(shown.detail().isEmpty() ? "" : "— " + shown.detail());
  }

  @Test
  void deferredAndExpiredAreCountedAndListedWithTheRowsNewestFirst() throws Exception {
    state.set(new WorkerState("ready", "", WorkerState.Colour.OK));

    String dom = chromium.load("http://127.0.0.1:" + server.port() + "/", VIRTUAL_TIME_MILLIS).dom();

    assertThat(text(dom, "total-deferred")).isEqualTo("1");
    assertThat(text(dom, "total-expired")).isEqualTo("1");
    Matcher rows = Pattern.compile("<tr class=\"outcome\" data-outcome=\"([a-z_]+)\"").matcher(dom);
    List<String> outcomes = new ArrayList<>();
    while (rows.find()) {
      outcomes.add(rows.group(1));
    }
    assertThat(outcomes).containsExactly("deferred", "expired", "launched");
    assertThat(dom).containsPattern("<td class=\"kind deferred\">deferred</td>")
        .containsPattern("<td class=\"kind expired\">expired</td>");
  }

  /** The text of the element with this id (the page only puts text, never markup, into the ones read here). */
  private static String text(String dom, String id) {
    Matcher m = Pattern.compile("id=\"" + Pattern.quote(id) + "\"[^>]*>([^<]*)<").matcher(dom);
    assertThat(m.find()).as("element #%s in the DOM", id).isTrue();
    return m.group(1).replace("&amp;", "&").replace("&quot;", "\"").trim();
  }

  private static Decision decision(String messageId, Instant at, Outcome outcome) {
    return new Decision(messageId, "token-" + messageId, Optional.empty(), 1, Optional.empty(), at.minusSeconds(1),
        at.minusMillis(200), at, outcome);
  }

  /** Ready and live; the state is whatever the test set. */
  private record StateOnly(AtomicReference<WorkerState> current) implements WorkerHealth {
    @Override
    public Optional<String> notReadyBecause() {
      return Optional.empty();
    }

    @Override
    public Optional<String> notLiveBecause() {
      return Optional.empty();
    }

    @Override
    public WorkerState state() {
      return current.get();
    }
  }
}
