package io.launchworker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.launchworker.sandbox.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The jar as users run it: from any folder, configured by file and environment, stopped by signals. */
class PackagedJarIT {
  @TempDir
  Path elsewhere;

  @Test
  void sandboxExitWhenDonePrintsTheTableWithZeroDuplicatesAndExits0() throws Exception {
    try (WorkerProcess sandbox = WorkerProcess.start(elsewhere, Map.of(), "sandbox", "--exit-when-done")) {
      int code = sandbox.waitFor(120);

      assertThat(code).as(sandbox.output()).isZero();
      assertThat(sandbox.output())
          .containsPattern("requests sent\\s+8")
          .containsPattern("duplicate launches\\s+0")
          .containsPattern("duplicates prevented\\s+2")
          .containsPattern("malformed_json\\s+1")
          .containsPattern("instance_type_not_allowed\\s+1")
          .contains("all requests settled");
    }
  }

  @Test
  void runLaunchesThenStopsGracefullyOnSigtermAndExits0() throws Exception {
    try (Sandbox aws = Sandbox.start(Duration.ofSeconds(30))) {
      Path config = elsewhere.resolve("worker.conf");
      Files.writeString(config, "launcher.sqs.wait-time = 2s\nlauncher.shutdown.grace = 10s\n");
      Map<String, String> env = WorkerProcess.sandboxEnvironment(aws, "0");
      try (WorkerProcess worker = WorkerProcess.start(elsewhere, env, "run", "--config", config.toString())) {
        for (int i = 0; i < 5; i++) {
          aws.sqs().client().sendMessage(b -> b.queueUrl(aws.queueUrl())
              .messageBody("{\"imageId\":\"ami-0123456789abcdef0\",\"instanceType\":\"t3.micro\"}"));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> aws.ec2().stats().instancesLaunched() == 5
            && aws.sqs().depth(aws.queueUrl()) == 0);

        long start = System.nanoTime();
        int code = worker.terminate(30);

        assertThat(code).as(worker.output()).isZero();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(worker.output()).contains("termination signal received").contains("stopped:");
      }
    }
  }
}
