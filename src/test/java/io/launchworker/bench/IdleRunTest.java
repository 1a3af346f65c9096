package io.launchworker.bench;

import static org.assertj.core.api.Assertions.assertThatCode;

import io.launchworker.config.ConfigLoader;
import io.launchworker.sandbox.Sandbox;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The idle scenario's worker process, as `run` reads its environment. */
class IdleRunTest {
  /** Regression: after `run` began refusing undecided policies and keys, the idle worker exited at start-up. */
  @Test
  void idleWorkerStartsWithEveryDecisionRunRequires() {
    try (Sandbox sandbox = Sandbox.start(Duration.ofSeconds(60))) {
      Map<String, String> env = IdleRun.workerEnvironment(sandbox);

      assertThatCode(() -> ConfigLoader.requireDecided(ConfigLoader.load(Optional.empty(), env, Map.of())))
          .doesNotThrowAnyException();
    }
  }
}
