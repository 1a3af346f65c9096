package io.launchworker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.launchworker.sandbox.Sandbox;
import io.launchworker.sandbox.ec2.Ec2Emulator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The promise under fire, with real processes: the packaged worker is SIGKILLed at seeded moments and started
 * again, while the EC2 emulator loses answers after launching, throttles and fails calls. Every request must
 * end as exactly one launch or one dead letter with its reason.
 *
 * <p>Size from system properties (the {@code chaos} Maven profile sets the large run): {@code chaos.requests}
 * (default 500), {@code chaos.kills} (5), {@code chaos.seed} (default: the clock; always printed, pass it back
 * to repeat a run's kill moments and fault draws).
 */
class CrashIT {
  private static final int REQUESTS = Integer.getInteger("chaos.requests", 500);
  private static final int KILLS = Integer.getInteger("chaos.kills", 5);
  private static final long SEED = Long.getLong("chaos.seed", System.currentTimeMillis());

  private static final double LOST_ANSWERS = 0.10;
  private static final double THROTTLES = 0.05;
  private static final double INTERNAL_ERRORS = 0.02;
  /** Short, so the messages a killed worker held come back within seconds. */
  private static final Duration VISIBILITY = Duration.ofSeconds(5);
  /** Longest wait for one worker to make the RunInstances calls its kill is tied to (start-up included). */
  private static final Duration PER_KILL = Duration.ofSeconds(90);

  @TempDir
  Path workDir;

  @Test
  void everyRequestIsLaunchedExactlyOnceOrRejectedThroughKillsLostAnswersThrottlesAndErrors() throws Exception {
    run("", REQUESTS, RequestMix.ONE_TYPE, 1, ec2 -> { });
  }

  /**
   * The same fire while the first shapes of every request have no capacity: Spot is out, the first type runs out
   * in one subnet at once and in the other after a fifth of the launches. Each request walks four to six shapes,
   * so kills land between shapes of one request too; still one launch per request token, whichever shape.
   */
  @Test
  void capacityForTheFirstShapesIsOutAndEveryRequestStillLaunchesExactlyOnceThroughKills() throws Exception {
    int requests = Math.max(50, REQUESTS * 2 / 5);
    run("capacity ", requests, CAPACITY_SHAPES, 5, ec2 -> ec2.capacity()
        .limit("spot", "*", "*", 0)
        .limit("on-demand", "t3.large", SUBNET_A, 0)
        .limit("on-demand", "t3.large", SUBNET_B, requests / 5));
  }

  private static final String SUBNET_A = "subnet-0aaa1111";
  private static final String SUBNET_B = "subnet-0bbb2222";
  /** Eight shapes: Spot t3.large A, B, t3.medium A, B, then the same on-demand. */
  private static final String CAPACITY_SHAPES = "\"instanceTypes\":[\"t3.large\",\"t3.medium\"],\"subnetIds\":[\""
      + SUBNET_A + "\",\"" + SUBNET_B + "\"],\"market\":\"spot-then-on-demand\"";

  /**
   * One chaos run.
   *
   * @param callsPerLaunch about how many RunInstances calls one launch takes without faults: kills are placed
   *     over that many calls per launch, so they spread over the whole run
   */
  private void run(String label, int requests, String shapes, int callsPerLaunch,
      java.util.function.Consumer<Ec2Emulator> capacity) throws Exception {
    Random random = new Random(SEED);
    System.out.printf("CrashIT %s: seed %d (repeat with -Dchaos.seed=%d), %d requests, %d kills%n",
        label.strip(), SEED, SEED, requests, KILLS);
    try (Sandbox aws = Sandbox.start(VISIBILITY);
        SandboxWorkers workers = new SandboxWorkers(aws, workDir, config())) {
      Ec2Emulator ec2 = aws.ec2();
      ec2.rejectImage(RequestMix.UNKNOWN_AMI, "InvalidAMIID.NotFound");
      ec2.faults().seed(random.nextLong())
          .runInstancesLatency(ec2.faults().logNormal(Duration.ofMillis(20), 0.5))
          .dropAnswerAfterLaunchRate(LOST_ANSWERS)
          .errorRate("RunInstances", "RequestLimitExceeded", 503, THROTTLES)
          .errorRate("RunInstances", "InternalError", 500, INTERNAL_ERRORS);
      capacity.accept(ec2);
      int rejects = Math.max(4, requests / 50);
      long start = System.nanoTime();
      RequestMix.Sent sent = RequestMix.of(requests, rejects, random).withShapes(shapes)
          .send(aws.sqs().client(), aws.queueUrl());

      WorkerProcess worker = workers.start();
      long[] killPoints = killPoints(random, sent.launches().size() * callsPerLaunch);
      for (int kill = 1; kill <= KILLS; kill++) {
        long target = Math.max(killPoints[kill - 1], runInstancesCalls(ec2) + 1);
        awaitOrFail("kill " + kill + ": RunInstances calls reach " + target, PER_KILL,
            () -> runInstancesCalls(ec2) >= target, workers);
        worker.kill();
        System.out.printf("CrashIT %s: kill %d (SIGKILL pid %d) at %.2f s: due at %d RunInstances calls, killed at "
            + "%d, %d instances so far%n", label.strip(), kill, worker.pid(), (System.nanoTime() - start) / 1e9,
            target, runInstancesCalls(ec2), ec2.stats().instancesLaunched());
        worker = workers.start();
      }
      awaitOrFail("the queue is empty and nothing is in flight", settleBound(requests),
          () -> aws.sqs().depth(aws.queueUrl()) == 0, workers);
      int exit = worker.terminate(30);
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

      List<DeadLetters.DeadLetter> dlq = DeadLetters.drain(aws.sqs().client(), aws.dlqUrl());
      ChaosFigures figures = ChaosFigures.of(SEED, sent, KILLS, elapsed, ec2.stats(), ec2.instances(), dlq);
      System.out.println(label + figures.render());

      assertThat(exit).as("the last worker stops gracefully on SIGTERM%n%s", worker.tail(30)).isZero();
      assertThat(figures.duplicates()).as("request tokens launched twice").isEmpty();
      assertThat(figures.instancesPerToken().keySet()).as("tokens with instances")
          .containsExactlyInAnyOrderElementsOf(sent.launches());
      assertThat(figures.tokensWithOtherThanOneInstance()).as("tokens without exactly one instance").isEmpty();
      assertThat(figures.lost()).as("requests neither launched nor rejected").isEmpty();
      assertThat(figures.misplaced()).as("requests that ended the wrong way").isEmpty();
      assertThat(figures.launched() + figures.rejected()).as("launched + rejected").isEqualTo(requests);
      // A reject whose delete a kill prevented is dead-lettered again on redelivery: the DLQ is at least once,
      // so it must hold exactly the expected rejects by original message ID and reason (copies are counted).
      assertThat(DeadLetters.byOriginalId(dlq)).as("DLQ by original message ID → reason")
          .containsExactlyInAnyOrderEntriesOf(sent.rejects());
      assertThat(aws.sqs().depth(aws.queueUrl())).as("queue: visible + in flight + delayed").isZero();
      assertThat(figures.stats().droppedAnswers()).as("lost answers injected").isPositive();
      assertThat(figures.throttled()).as("throttles injected").isPositive();
      assertThat(figures.internalErrors()).as("InternalErrors injected").isPositive();
      if (callsPerLaunch > 1) {
        assertThat(figures.stats().capacityRefusals()).as("capacity refusals").isPositive();
        assertThat(ec2.instances()).as("no Spot capacity, none of it launched")
            .noneMatch(io.launchworker.sandbox.ec2.EmulatedInstance::spot);
      }
    }
  }

  private static String config() {
    return """
        launcher {
          max-in-flight = 32
          # The injected faults (about 1 call in 6) cannot use up 100 receives.
          max-attempts = 100
          sqs {
            wait-time = 1s
            visibility-timeout = %ds
            delete-flush-interval = 50ms
            receive-error-backoff = 100ms
          }
          retry {
            base-delay = 1s
            max-delay = 4s
          }
          shutdown.grace = 10s
          policy.allowed-instance-types = ["%s"]
        }
        """.formatted(VISIBILITY.toSeconds(), RequestMix.ALLOWED_INSTANCE_TYPES);
  }

  /**
   * When to kill, in RunInstances calls the emulator has seen: tied to progress, not to the machine's speed.
   * Spread uniformly over the first 90 % of the launches, so every kill lands mid-run with work left for the
   * restarted worker (each launch needs at least one call; the calls needed only grow with faults).
   */
  private static long[] killPoints(Random random, int launches) {
    long last = Math.max(1, launches * 9L / 10);
    return random.longs(KILLS, 1, last + 1).sorted().toArray();
  }

  private static long runInstancesCalls(Ec2Emulator ec2) {
    return ec2.stats().calls("RunInstances");
  }

  /** Scales with the run: a few seconds per kill for visibility to lapse, then a few ms per request. */
  private static Duration settleBound(int requests) {
    return Duration.ofSeconds(60 + KILLS * 10L + requests / 25);
  }

  private static void awaitOrFail(String what, Duration bound, BooleanSupplier condition, SandboxWorkers workers) {
    try {
      await(what).atMost(bound).pollInterval(Duration.ofMillis(20)).until(condition::getAsBoolean);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(what + " within " + bound + workers.tails(40), e);
    }
  }
}
