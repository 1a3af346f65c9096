package io.launchworker.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code /health/live} and {@code /health/ready} answer from their own questions to the worker. */
class HealthProbesTest {
  private Optional<String> notLive = Optional.empty();
  private Optional<String> notReady = Optional.empty();

  private final WorkerHealth health = new WorkerHealth() {
    @Override
    public Optional<String> notReadyBecause() {
      return notReady;
    }

    @Override
    public Optional<String> notLiveBecause() {
      return notLive;
    }

    @Override
    public WorkerState state() {
      return new WorkerState("ready", "", WorkerState.Colour.OK);
    }
  };
  private final AdminRoutes routes = new AdminRoutes(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), health,
      new RecentOutcomes(Clock.systemUTC()));

  @Test
  void aWedgedLoopFailsLivenessWithItsReasonWhileReadinessSaysItsOwn() {
    notLive = Optional.of("the poll loop has not attempted a receive from SQS for 91s");

    Reply live = routes.reply("GET", "/health/live");

    assertThat(live.status()).isEqualTo(503);
    assertThat(live.body()).isEqualTo("{\"status\":\"DOWN\",\"reason\":"
        + "\"the poll loop has not attempted a receive from SQS for 91s\"}");
    assertThat(routes.reply("GET", "/health/ready").status()).isEqualTo(200);
  }

  @Test
  void aFaultOutsideTheProcessFailsReadinessOnlySoTheWorkerIsNotRestartedForIt() {
    notReady = Optional.of("receive failing: SqsException: down");

    assertThat(routes.reply("GET", "/health/ready").status()).isEqualTo(503);
    Reply live = routes.reply("GET", "/health/live");
    assertThat(live.status()).isEqualTo(200);
    assertThat(live.body()).isEqualTo("{\"status\":\"UP\"}");
  }
}
