package io.launchworker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.launchworker.deploy.DockerfileInstructions;
import io.launchworker.launch.Token;
import io.launchworker.request.LaunchTags;
import io.launchworker.sandbox.Sandbox;
import io.launchworker.testing.LocalProcesses;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * docker/Dockerfile built with podman and run as the deployment files run it: read-only root file system (no
 * writable /tmp either), no capabilities, no new privileges, 512 MiB, against the sandbox's SQS and EC2 on loopback
 * (host network). With no registry the base images are Debian stand-ins ({@link BaseImages}); the Dockerfile itself
 * is built every run. Skips, saying so, where podman or runc is missing (.ci/run installs them) or stand-ins are
 * needed and cannot be made (no debootstrap, not root); any other failure fails the build. Prints what it measured:
 * build time, image size, the worker's memory under the requests, the stop.
 */
class ImageIT {
  private static final Path LOGS = Paths.get("target", "image-it").toAbsolutePath();
  private static final Path DOCKERFILE = Paths.get("docker", "Dockerfile").toAbsolutePath();
  private static final int REQUESTS = Integer.getInteger("image.requests", 20);
  /** Requests a producer sends again (a retry after a timeout): same body, same clientToken, a new message. */
  private static final int REPEATS = Math.min(5, REQUESTS);
  /** compose's stop_grace_period and `docker stop -t` in the docs: more than the worker's shutdown grace. */
  private static final int STOP_SECONDS = 35;
  /** The worker's launcher.shutdown.grace here (compose's): what it may take to stop once told to. */
  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(25);
  private static final String SENDER_ID = "127.0.0.1";
  /** Where docker/k8s/deployment.yaml mounts the worker's configuration file. */
  private static final String CONFIG = "/etc/launch-worker/worker.conf";

  private static Podman podman;
  private static DockerfileInstructions dockerfile;
  private static String image;
  /** Why the image was not built (a tool missing), if it was not. */
  private static Optional<String> skipping = Optional.empty();
  private static final List<String> FIGURES = new ArrayList<>();

  @BeforeAll
  static void buildTheImage() throws Exception {
    clearLogs();
    Podman.Found found = Podman.find(LOGS);
    if (found.podman().isEmpty()) {
      skipping = Optional.of(found.missing());
      return;
    }
    podman = found.podman().get();
    dockerfile = DockerfileInstructions.read(DOCKERFILE);
    BaseImages bases = new BaseImages(podman, dockerfile.baseImages(), LOGS);

    long start = System.nanoTime();
    Optional<String> unavailable = bases.pinnedUnavailable();
    List<String> buildArgs;
    if (unavailable.isEmpty()) {
      buildArgs = bases.pinnedBuildArgs();
    } else {
      Optional<String> cannot = BaseImages.cannotMakeStandIns();
      if (cannot.isPresent()) {
        skipping = Optional.of(cannot.get() + "; the pinned base images are not here either: " + unavailable.get());
        return;
      }
      buildArgs = bases.standInBuildArgs();
    }
    Duration basesTook = Duration.ofNanos(System.nanoTime() - start);

    Path iid = LOGS.resolve("image.iid");
    List<String> build = new ArrayList<>(List.of("build", "--network", "host", "--format", "docker", "--pull=never",
        "--iidfile", iid.toString(), "-f", DOCKERFILE.toString(), "-t", "localhost/ec2-launch-worker:it"));
    build.addAll(Podman.ULIMITS);
    build.addAll(buildArgs);
    build.add(DOCKERFILE.getParent().getParent().toString());
    start = System.nanoTime();
    podman.run(Duration.ofMinutes(20), build.toArray(String[]::new)).ok();
    Duration buildTook = Duration.ofNanos(System.nanoTime() - start);
    image = Files.readString(iid).strip();

    long size = Long.parseLong(inspect("image", image, "{{.Size}}"));
    FIGURES.add("base images (" + seconds(basesTook) + "):\n  " + bases.report().replace("\n", "\n  "));
    String id = image.replace("sha256:", "").substring(0, 12);
    FIGURES.add("docker/Dockerfile built in " + seconds(buildTook) + ": " + id + ", " + size / 1_000_000 + " MB");
  }

  /** Each test is reported as skipped, with why, where the image could not be built for want of a tool. */
  @BeforeEach
  void skipWithoutPodman() {
    skipping.ifPresent(why -> {
      String message = "skipped: " + why + "; install Debian's podman, runc and debootstrap (.ci/run does) to build "
          + "and run docker/Dockerfile";
      if ("true".equals(System.getenv("CI"))) {
        System.err.println("ImageIT: " + message); // loud in CI, where .ci/run should have installed them
      }
      Assumptions.abort(message);
    });
  }

  @Test
  void imageRunsAsTheDockerfilesNumericUserWithItsHealthCheckAndStopSignal() throws Exception {
    assertThat(inspect("image", image, "{{.Config.User}}")).isEqualTo(dockerfile.runtimeUser());
    assertThat(inspect("image", image, "{{.Config.StopSignal}}")).isEqualTo("SIGTERM");
    // Only the docker format keeps a HEALTHCHECK; OCI images have no field for it.
    assertThat(inspect("image", image, "{{json .Config.Healthcheck.Test}}"))
        .startsWith("[\"CMD-SHELL\"").contains("/health/live");
  }

  @Test
  void readOnlyContainerWithoutCapabilitiesLaunchesEachRequestOnceIsHealthyAndStopsWithinTheGrace()
      throws Exception {
    try (Sandbox aws = Sandbox.start(Duration.ofSeconds(30)); Ec2Client ec2 = aws.ec2Client(2)) {
      int adminPort = LocalProcesses.freePort();
      String name = "ec2-launch-worker-it-" + UUID.randomUUID().toString().substring(0, 8);
      List<String> run = new ArrayList<>(List.of("run", "--detach", "--name", name, "--read-only",
          "--read-only-tmpfs=false", "--cap-drop", "ALL", "--security-opt", "no-new-privileges", "--network", "host",
          "--memory", "512m"));
      run.addAll(Podman.ULIMITS);
      environment(aws, adminPort).forEach((k, v) -> run.addAll(List.of("--env", k + "=" + v)));
      run.addAll(List.of("--volume", configFile() + ":" + CONFIG + ":ro", image, "run", "--config", CONFIG));
      podman.run(Duration.ofMinutes(2), run.toArray(String[]::new)).ok();
      try {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
            .until(() -> running(name) && status(adminPort, "/health/ready") == 200);
        String pid = inspect("container", name, "{{.State.Pid}}");

        assertConfined(name, procStatus(pid));
        Command.Result health = podman.run(Duration.ofMinutes(1), "healthcheck", "run", name);
        assertThat(health.code()).as("podman healthcheck run: " + health.output()).isZero();
        assertEachRequestLaunchesOnce(aws, ec2, name, pid);
        assertStopsGracefully(name);
      } finally {
        podman.run(Duration.ofMinutes(1), "logs", name); // kept in target/image-it for whoever reads a failure
        podman.run(Duration.ofMinutes(1), "rm", "--force", name);
        System.out.println("ImageIT:\n  " + String.join("\n  ", FIGURES).replace("\n", "\n  "));
      }
    }
  }

  /** java runs as the Dockerfile's user, with no capability, no way to gain one, and nothing it can write. */
  private static void assertConfined(String name, Map<String, String> java) throws Exception {
    String[] user = dockerfile.runtimeUser().split(":");

    assertThat(java.get("Uid")).as("real, effective, saved and file system uid").isEqualTo(
        String.join("\t", user[0], user[0], user[0], user[0]));
    assertThat(java.get("Gid")).isEqualTo(String.join("\t", user[1], user[1], user[1], user[1]));
    assertThat(java.get("CapEff")).isEqualTo("0000000000000000");
    assertThat(java.get("CapBnd")).isEqualTo("0000000000000000");
    assertThat(java.get("NoNewPrivs")).isEqualTo("1");
    Command.Result write = podman.run(Duration.ofMinutes(1), "exec", name, "touch", "/tmp/probe");
    assertThat(write.code()).as(write.output()).isNotZero();
    assertThat(write.output()).contains("Read-only file system");
  }

  /**
   * The requests and a producer's retries of some of them go through SQS; EC2 then lists one instance per request,
   * each under its own token, and both queues are empty. Records the worker's memory with that behind it.
   */
  private static void assertEachRequestLaunchesOnce(Sandbox aws, Ec2Client ec2, String name, String pid)
      throws Exception {
    long start = System.nanoTime();
    Set<String> tokens = send(aws);
    await().atMost(Duration.ofSeconds(120 + REQUESTS / 10)).pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> {
          int launched = instances(ec2).size();
          long queued = aws.sqs().depth(aws.queueUrl());
          assertThat(launched >= REQUESTS && queued == 0).as("%d of %d launched, %d messages on the queue", launched,
              REQUESTS, queued).isTrue();
        });
    Duration launching = Duration.ofNanos(System.nanoTime() - start);
    List<Instance> instances = instances(ec2);

    assertThat(instances).hasSize(REQUESTS);
    Set<String> tagged = instances.stream().map(ImageIT::tokenTag).collect(Collectors.toCollection(TreeSet::new));
    assertThat(tagged).as("request tokens of the instances").isEqualTo(tokens);
    assertThat(instances.stream().map(Instance::clientToken).distinct()).hasSize(REQUESTS);
    assertThat(aws.sqs().depth(aws.dlqUrl())).as("dead letters").isZero();

    String cgroup = podman.run(Duration.ofMinutes(1), "stats", "--no-stream", "--format", "{{.MemUsage}}", name)
        .ok().answer();
    Map<String, String> java = procStatus(pid);
    FIGURES.add(REQUESTS + " requests and " + REPEATS + " repeats: " + instances.size() + " instances in "
        + seconds(launching) + "; java RSS " + mib(java.get("VmRSS")) + " (peak " + mib(java.get("VmHWM"))
        + "), container memory " + cgroup);
  }

  /** {@code podman stop} sends SIGTERM; the worker finishes and exits 0 well before podman would kill it. */
  private static void assertStopsGracefully(String name) throws Exception {
    long start = System.nanoTime();
    Command.Result stop = podman.run(Duration.ofSeconds(STOP_SECONDS + 30), "stop", "-t",
        Integer.toString(STOP_SECONDS), name);
    Duration stopping = Duration.ofNanos(System.nanoTime() - start);
    String logs = podman.run(Duration.ofMinutes(1), "logs", name).output();

    assertThat(stop.code()).as(stop.output()).isZero();
    assertThat(inspect("container", name, "{{.State.ExitCode}}")).as(logs).isEqualTo("0");
    assertThat(stopping).as("podman stop").isLessThan(SHUTDOWN_GRACE);
    assertThat(logs).contains("termination signal received").contains("stopped:");
    FIGURES.add("podman stop -t " + STOP_SECONDS + ": exit 0 after " + seconds(stopping));
  }

  /**
   * A configuration file mounted read-only and passed with --config, as docker/k8s/deployment.yaml mounts its
   * ConfigMap: EC2 budgets above the account's defaults (RunInstances 2 a second, DescribeInstances 20), so the test
   * waits on the worker in its container rather than on a budget meant for AWS.
   */
  private static Path configFile() throws IOException {
    return Files.writeString(LOGS.resolve("worker.conf"), "launcher.ec2 {\n  run-instances-burst = 20\n"
        + "  run-instances-per-second = 100\n  describe-burst = 200\n  describe-per-second = 200\n}\n");
  }

  /**
   * The worker's variables, as a deployment gives them: the sandbox's queues, endpoints, keys and token key; the
   * admin server on this test's port, loopback only (the host's network is the container's); a shutdown grace as
   * compose's.
   */
  private static Map<String, String> environment(Sandbox aws, int adminPort) {
    Map<String, String> env = new HashMap<>(WorkerProcess.sandboxEnvironment(aws, Integer.toString(adminPort)));
    env.put("LAUNCHER_ALLOWED_INSTANCE_TYPES", "t3.*");
    env.put("LAUNCHER_ADMIN_HOST", "127.0.0.1");
    env.put("LAUNCHER_SHUTDOWN_GRACE", SHUTDOWN_GRACE.toSeconds() + "s");
    // Room for every request of a larger run (-Dimage.requests): the hourly cap is not this test's subject.
    env.put("LAUNCHER_MAX_INSTANCES_PER_HOUR", Integer.toString(Math.max(1000, REQUESTS)));
    return env;
  }

  /**
   * Sends the requests, then the repeats; gives back the tokens the worker launches them under: each clientToken
   * scoped by its sender, which ElasticMQ gives as the one SenderId {@value #SENDER_ID}.
   */
  private static Set<String> send(Sandbox aws) {
    List<String> bodies = IntStream.range(0, REQUESTS).mapToObj(i -> String.format("{\"imageId\":"
        + "\"ami-0123456789abcdef0\",\"instanceType\":\"t3.micro\",\"clientToken\":\"image-it-%05d\"}", i)).toList();
    List<String> all = new ArrayList<>(bodies);
    all.addAll(bodies.subList(0, REPEATS));
    for (int from = 0; from < all.size(); from += 10) {
      List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
      for (int i = from; i < Math.min(from + 10, all.size()); i++) {
        entries.add(SendMessageBatchRequestEntry.builder().id("m" + i).messageBody(all.get(i)).build());
      }
      assertThat(aws.sqs().client().sendMessageBatch(b -> b.queueUrl(aws.queueUrl()).entries(entries)).failed())
          .isEmpty();
    }
    return IntStream.range(0, REQUESTS).mapToObj(i -> Token.scoped(Optional.of(SENDER_ID), String.format(
        "image-it-%05d", i))).collect(Collectors.toCollection(TreeSet::new));
  }

  /** Every instance EC2 (the emulator) lists, through DescribeInstances as the audit reads them. */
  private static List<Instance> instances(Ec2Client ec2) {
    return ec2.describeInstancesPaginator(b -> b.maxResults(1000)).reservations().stream()
        .flatMap(r -> r.instances().stream()).toList();
  }

  private static String tokenTag(Instance instance) {
    return instance.tags().stream().filter(t -> t.key().equals(LaunchTags.TOKEN)).map(t -> t.value())
        .findFirst().orElse("(untagged " + instance.instanceId() + ")");
  }

  private static boolean running(String name) throws IOException, InterruptedException {
    String state = inspect("container", name, "{{.State.Status}}");
    if (!state.equals("running")) {
      throw new AssertionError("container " + state + "; its output:\n"
          + podman.run(Duration.ofMinutes(1), "logs", name).tail(40));
    }
    return true;
  }

  private static String inspect(String what, String id, String format) throws IOException, InterruptedException {
    return podman.run(Duration.ofMinutes(1), what, "inspect", "--format", format, id).ok().answer();
  }

  private static int status(int port, String path) throws InterruptedException {
    try {
      return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    }
  }

  /** The fields of /proc/PID/status (the host's view of the container's java: podman runs as root, no user map). */
  private static Map<String, String> procStatus(String pid) throws IOException {
    Map<String, String> fields = new HashMap<>();
    for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
      int colon = line.indexOf(':');
      fields.put(line.substring(0, colon), line.substring(colon + 1).strip());
    }
    return fields;
  }

  private static String mib(String value) {
    Matcher m = Pattern.compile("(\\d+) kB").matcher(value);
    return m.matches() ? Long.parseLong(m.group(1)) / 1024 + " MiB" : value;
  }

  private static String seconds(Duration d) {
    return String.format("%.1f s", d.toMillis() / 1000.0);
  }

  /** Drops the previous run's logs, so what target/image-it holds is this run's. */
  private static void clearLogs() throws IOException {
    if (Files.isDirectory(LOGS)) {
      try (var files = Files.list(LOGS)) {
        for (Path log : files.filter(f -> f.toString().endsWith(".log")).toList()) {
          Files.delete(log);
        }
      }
    }
  }
}
