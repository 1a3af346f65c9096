package io.launchworker.bench;

import io.launchworker.config.ConfigLoader;
import io.launchworker.config.WorkerConfig;
import io.launchworker.request.LaunchPolicy;
import io.launchworker.sandbox.EmbeddedSqs;
import io.launchworker.sandbox.LaunchesByToken;
import io.launchworker.sandbox.Sandbox;
import io.launchworker.sandbox.ec2.Ec2Stats;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One benchmark run: the sandbox, the workers (in this JVM or as child processes), the requests, the wait for
 * the queue to drain, and the measurements. Blocking; runs on the caller's thread. Prints what it sets up to
 * {@code out} before it starts. Throws {@link IllegalStateException} when the workers cannot be started.
 */
public final class BenchRun {
  /** The hourly instance cap, which the bench lifts for its own run (it measures speed, not policy). */
  static final String HOURLY_CAP_KEY = "launcher.policy.max-instances-per-hour";
  static final String HOURLY_CAP_ENV = "LAUNCHER_MAX_INSTANCES_PER_HOUR";
  /** Far above any benchmark's launches: the cap does not bound the run. */
  static final int NO_HOURLY_CAP = 1_000_000;
  /**
   * The allow-lists the bench opens ({@code *}) for its run, by key and environment variable: it measures speed, not
   * policy, and its requests vary in type. Launch templates, key pairs and profiles stay closed; none is sent.
   */
  static final Map<String, String> OPEN_POLICY = Map.of(
      "launcher.policy.allowed-image-ids", "LAUNCHER_ALLOWED_IMAGE_IDS",
      "launcher.policy.allowed-instance-types", "LAUNCHER_ALLOWED_INSTANCE_TYPES",
      "launcher.policy.allowed-subnet-ids", "LAUNCHER_ALLOWED_SUBNET_IDS",
      "launcher.policy.allowed-security-group-ids", "LAUNCHER_ALLOWED_SECURITY_GROUP_IDS");
  /** Short long polls so the workers stop promptly at the end; SQS returns a waiting receive on arrival. */
  private static final String WAIT_TIME = "1s";
  private static final String SHUTDOWN_GRACE = "10s";
  private static final Duration VISIBILITY = Duration.ofSeconds(60);
  /** How often the queue depth is read while waiting for it to drain: the drain time's resolution. */
  private static final Duration DEPTH_POLL = Duration.ofMillis(20);

  private final Scenario scenario;
  private final List<String> workerJavaOptions;
  private final PrintWriter out;

  public BenchRun(Scenario scenario, List<String> workerJavaOptions, PrintWriter out) {
    this.scenario = scenario;
    this.workerJavaOptions = List.copyOf(workerJavaOptions);
    this.out = out;
  }

  public BenchReport run() throws InterruptedException {
    String loadBefore = loadAverage();
    try (Sandbox sandbox = Sandbox.start(VISIBILITY)) {
      scenario.ec2Latency().applyTo(sandbox.ec2().faults());
      scenario.ec2Bucket().ifPresent(b -> sandbox.ec2().faults().throttle(b.burst(), b.perSecond()));
      // Here, in the bench's JVM, also for worker processes: the emulator is this process's.
      sandbox.ec2().capacity().apply(scenario.capacity());
      Timeline timeline = new Timeline(System::nanoTime);
      sandbox.ec2().onRunInstancesArrival(timeline::arrived);
      describeSetup();
      try (Fleet fleet = startFleet(sandbox, timeline)) {
        RequestSender sender = new RequestSender(sandbox.sqs().client(), sandbox.queueUrl(), timeline,
            scenario.requestInstanceTypes());
        long deadline = System.nanoTime() + scenario.timeout().toNanos();
        long begin = System.nanoTime();
        boolean drained = scenario.oneAtATime()
            ? sendOneAtATime(sender, sandbox, timeline, deadline)
            : sendAll(sender, sandbox, deadline);
        long drainedAt = System.nanoTime();
        double drainSeconds = (drainedAt - begin) / 1e9;
        Ec2Stats stats = sandbox.ec2().stats();
        Launches launches = Launches.of(timeline.sentIds(), LaunchesByToken.of(sandbox.ec2().instances()), stats);
        return new BenchReport(scenario, scenario.childProcesses() ? scenario.workers() + " worker process(es)"
            : "in-process worker", timeline.sentCount(), drainSeconds, idealDrainSeconds(launches.refusals()),
            timeline.phases(begin, drainedAt), timeline.pickup(),
            timeline.endToEnd(), endToEndMeasure(), fleet.startup().toNanos() / 1e6, fleet.startupMeasure(),
            fleet.cpu().toNanos() / 1e9, fleet.cpuMeasure(), fleet.peakHeapBytes().orElse(-1),
            fleet.peakRssBytes(), fleet.rssBytes(), fleet.memoryMeasure(), stats.calls("RunInstances"),
            stats.throttledCalls(), launches, sandbox.sqs().depth(sandbox.dlqUrl()), drained,
            loadBefore + " -> " + loadAverage());
      }
    }
  }

  private void describeSetup() {
    out.printf("bench: %d request(s), EC2 latency %s, EC2 bucket %s, max in flight %d, %s%n", scenario.requests(),
        scenario.ec2Latency(), scenario.ec2Bucket().map(Bucket::toString).orElse("none (no throttling)"),
        scenario.maxInFlight(), scenario.childProcesses() ? scenario.workers() + " worker process(es)"
            : "worker in this JVM");
    out.printf("bench: worker RunInstances ceiling %s per worker (launcher.ec2.run-instances-burst/-per-second)%s%n",
        scenario.workerBudget(), scenario.rate().isPresent() ? " from --rate"
            : scenario.ec2Bucket().isPresent() ? " = the whole EC2 bucket; each worker finds its share below it" : "");
    out.printf("bench: the hourly instance cap (%s) is lifted to %,d for this run%n", HOURLY_CAP_KEY,
        NO_HOURLY_CAP);
    out.printf("bench: images, instance types, subnets and security groups are allowed (\"*\") for this run%n");
    if (!scenario.capacity().isEmpty()) {
      out.printf("bench: EC2 capacity %s (the first matching limit decides; other launches always succeed)%n",
          scenario.capacitySpec());
    }
    if (!scenario.requestInstanceTypes().isEmpty()) {
      out.printf("bench: each request lists instanceTypes %s%s; each refused shape is one more RunInstances call "
          + "and one more token of the worker's budget%n", String.join(",", scenario.requestInstanceTypes()),
          scenario.instanceTypes().isEmpty() ? " (the default with --capacity)" : "");
    }
    if (scenario.childProcesses()) {
      out.printf("bench: worker JVM options %s (docker/Dockerfile's ENTRYPOINT)%s%n",
          String.join(" ", ProcessFleet.IMAGE_JVM_OPTIONS),
          workerJavaOptions.isEmpty() ? "" : ", then " + String.join(" ", workerJavaOptions));
    }
    out.flush();
  }

  private Fleet startFleet(Sandbox sandbox, Timeline timeline) throws InterruptedException {
    Bucket budget = scenario.workerBudget();
    if (!scenario.childProcesses()) {
      Map<String, Object> overrides = new LinkedHashMap<>(sandbox.workerOverrides());
      overrides.put("launcher.max-in-flight", scenario.maxInFlight());
      overrides.put("launcher.sqs.wait-time", WAIT_TIME);
      overrides.put("launcher.shutdown.grace", SHUTDOWN_GRACE);
      overrides.put("launcher.admin.port", -1);
      overrides.put("launcher.ec2.run-instances-burst", budget.burst());
      overrides.put("launcher.ec2.run-instances-per-second", budget.perSecond());
      overrides.put(HOURLY_CAP_KEY, NO_HOURLY_CAP);
      OPEN_POLICY.forEach((key, variable) -> overrides.put(key, List.of(LaunchPolicy.ANY)));
      WorkerConfig config = ConfigLoader.load(Optional.empty(), Map.of(), overrides);
      return InProcessFleet.start(config, timeline);
    }
    Map<String, String> env = workerEnvironment(sandbox);
    env.put("LAUNCHER_MAX_IN_FLIGHT", Integer.toString(scenario.maxInFlight()));
    env.put("LAUNCHER_SHUTDOWN_GRACE", SHUTDOWN_GRACE);
    env.put("LAUNCHER_RUN_INSTANCES_BURST", Integer.toString(budget.burst()));
    env.put("LAUNCHER_RUN_INSTANCES_PER_SECOND", Double.toString(budget.perSecond()));
    String config = "launcher.sqs.wait-time = " + WAIT_TIME + "\n";
    return ProcessFleet.start(scenario.workers(), env, config, workerJavaOptions);
  }

  /**
   * What a bench worker process needs to run against the sandbox: its queues, endpoints, region and credentials, no
   * admin port, no hourly cap to bound it, and the decisions `run` refuses to start without (the sandbox's token key,
   * every allow-list open: the bench measures speed, not policy).
   */
  static Map<String, String> workerEnvironment(Sandbox sandbox) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("LAUNCHER_QUEUE_URL", sandbox.queueUrl());
    env.put("LAUNCHER_DLQ_URL", sandbox.dlqUrl());
    env.put("AWS_ENDPOINT_URL_SQS", sandbox.sqs().endpoint().toString());
    env.put("AWS_ENDPOINT_URL_EC2", sandbox.ec2().endpoint().toString());
    env.put("AWS_REGION", EmbeddedSqs.REGION.id());
    env.put("AWS_ACCESS_KEY_ID", EmbeddedSqs.CREDENTIALS.accessKeyId());
    env.put("AWS_SECRET_ACCESS_KEY", EmbeddedSqs.CREDENTIALS.secretAccessKey());
    env.put("LAUNCHER_ADMIN_PORT", "-1");
    env.put(HOURLY_CAP_ENV, Integer.toString(NO_HOURLY_CAP)); // ignored by builds without the cap
    env.put("LAUNCHER_TOKEN_KEY", sandbox.tokenKey());
    OPEN_POLICY.forEach((key, variable) -> env.put(variable, LaunchPolicy.ANY));
    return env;
  }

  private boolean sendAll(RequestSender sender, Sandbox sandbox, long deadline) throws InterruptedException {
    sender.send(scenario.requests());
    return awaitEmptyQueue(sandbox, deadline);
  }

  /** Each request is sent once the previous one has been picked up and its message deleted. */
  private boolean sendOneAtATime(RequestSender sender, Sandbox sandbox, Timeline timeline, long deadline)
      throws InterruptedException {
    for (int i = 0; i < scenario.requests(); i++) {
      String id = sender.send(1).get(0);
      while (!timeline.hasArrived(id) || (!scenario.childProcesses() && !timeline.isDecided(id))) {
        if (System.nanoTime() > deadline) {
          return false;
        }
        Thread.sleep(1);
      }
      if (!awaitEmptyQueue(sandbox, deadline)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Polls the queue depth until it is zero. ElasticMQ counts a queue's messages by walking all of them, so a
   * long queue is polled rarely (the bench must not eat the CPU it measures) and a nearly empty one every
   * {@link #DEPTH_POLL}, which bounds the drain time's error.
   */
  private static boolean awaitEmptyQueue(Sandbox sandbox, long deadline) throws InterruptedException {
    while (System.nanoTime() < deadline) {
      long depth = sandbox.sqs().depth(sandbox.queueUrl());
      if (depth == 0) {
        return true;
      }
      Thread.sleep(depth > 1_000 ? 500 : depth > 100 ? 100 : DEPTH_POLL.toMillis());
    }
    return false;
  }

  private String endToEndMeasure() {
    return scenario.childProcesses()
        ? "not measured per request with worker processes: their decisions are not visible here; see drain time"
        : "SendMessage returned -> outcome decided; the delete follows in a batch within delete-flush-interval";
  }

  /**
   * The least drain time the EC2 bucket or the concurrency allows (0 when neither binds), for one RunInstances
   * call per request plus one per shape the emulator refused: a refused call takes a token and a slot as well.
   */
  private double idealDrainSeconds(long refusals) {
    long calls = scenario.requests() + refusals;
    double bucket = scenario.ec2Bucket().map(b -> Math.max(0, calls - b.burst()) / b.perSecond()).orElse(0.0);
    double concurrency = calls * (scenario.ec2Latency().mean().toNanos() / 1e9)
        / ((double) scenario.maxInFlight() * scenario.workers());
    return Math.max(bucket, concurrency);
  }

  static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException | RuntimeException e) {
      return "n/a";
    }
  }
}
