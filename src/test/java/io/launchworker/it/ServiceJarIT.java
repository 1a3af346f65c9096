package io.launchworker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code target/ec2-launch-worker-service.jar}, the jar production ships: the service's commands, and nothing of
 * the sandbox, the bench or ElasticMQ's closure, not even a class that names one of them.
 */
class ServiceJarIT {
  /** ElasticMQ and what it brings (Pekko, Scala, H2, spray, ...), and the local tools built on it. */
  private static final List<String> ABSENT = List.of("org/elasticmq/", "org/apache/pekko/", "scala/", "org/h2/",
      "spray/", "org/parboiled2/", "scalikejdbc/", "pureconfig/", "com/typesafe/sslconfig/",
      "com/typesafe/scalalogging/", "io/launchworker/sandbox/", "io/launchworker/bench/",
      "io/launchworker/cli/SandboxCommand", "io/launchworker/cli/BenchCommand",
      "io/launchworker/cli/LaunchWorkerCommand");
  /** Their Maven metadata, which the shade plugin copies along with an artifact's classes. */
  private static final List<String> ABSENT_GROUPS = List.of("org.elasticmq", "org.apache.pekko", "org.scala-lang",
      "com.h2database", "io.spray");
  private static final Pattern WORKER_NAME = Pattern.compile("io/launchworker/[\\w/$.-]+");

  @TempDir
  Path workDir;

  @Test
  void holdsNoElasticMqPekkoScalaH2SandboxOrBenchEntries() throws IOException {
    Set<String> service = entries(WorkerProcess.SERVICE_JAR);
    Set<String> full = entries(WorkerProcess.JAR);

    assertThat(service).filteredOn(ServiceJarIT::isAbsentOne).as("entries of the service jar").isEmpty();
    assertThat(full).as("the full jar has each (the list names real packages)")
        .anyMatch(e -> e.startsWith("org/elasticmq/"))
        .anyMatch(e -> e.startsWith("org/apache/pekko/")).anyMatch(e -> e.startsWith("scala/"))
        .anyMatch(e -> e.startsWith("org/h2/")).anyMatch(e -> e.startsWith("io/launchworker/sandbox/"))
        .anyMatch(e -> e.startsWith("io/launchworker/cli/LaunchWorkerCommand"));
    assertThat(service).contains("io/launchworker/cli/ServiceCommand.class", "io/launchworker/poll/Worker.class",
        "io/launchworker/config/worker.conf");
  }

  /**
   * A kept class that names a missing one fails only when that line runs (a picocli {@code subcommands} entry at
   * start-up, a {@code Class.forName} some day): so every name of the worker's own that its classes hold must be in
   * the jar, and none may name the sandbox's world.
   */
  @Test
  void everyWorkerClassInItNamesOnlyClassesAndResourcesTheJarHolds() throws IOException {
    List<String> dangling = new ArrayList<>();
    try (JarFile jar = new JarFile(WorkerProcess.SERVICE_JAR.toFile())) {
      Set<String> names = jar.stream().map(JarEntry::getName).collect(Collectors.toSet());
      for (JarEntry entry : Collections.list(jar.entries())) {
        if (!entry.getName().startsWith("io/launchworker/") || !entry.getName().endsWith(".class")) {
          continue;
        }
        for (String text : ClassNames.utf8Constants(jar.getInputStream(entry).readAllBytes())) {
          String slashed = text.replace('.', '/');
          ABSENT.stream().filter(slashed::contains).forEach(a -> dangling.add(entry.getName() + " names " + text));
          Matcher m = WORKER_NAME.matcher(text);
          while (m.find()) {
            String name = m.group();
            if (!names.contains(name + ".class") && !names.contains(name) && !names.contains(name + "/")) {
              dangling.add(entry.getName() + " names " + name + ", not in the jar");
            }
          }
        }
      }
    }

    assertThat(dangling).isEmpty();
  }

  @Test
  void offersRunCheckConfigEnqueueAndAuditAndRefusesSandbox() throws Exception {
    assertThat(commands(WorkerProcess.SERVICE_JAR)).containsExactly("run", "check-config", "enqueue", "audit", "help");
    assertThat(commands(WorkerProcess.JAR))
        .containsExactly("run", "check-config", "enqueue", "audit", "sandbox", "bench", "help");

    try (WorkerProcess sandbox = WorkerProcess.start(WorkerProcess.SERVICE_JAR, workDir, Map.of(), "sandbox")) {
      assertThat(sandbox.waitFor(60)).as(sandbox.output()).isEqualTo(2);
      assertThat(sandbox.output()).contains("Unmatched argument at index 0: 'sandbox'").doesNotContain("Exception");
    }
  }

  @Test
  void checkConfigValidatesFromTheServiceJar() throws Exception {
    Map<String, String> env = Map.of("LAUNCHER_QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/1/requests",
        "LAUNCHER_DLQ_URL", "https://sqs.us-east-1.amazonaws.com/1/dead-letters",
        "LAUNCHER_ALLOWED_IMAGE_IDS", "ami-0123456789abcdef0", "LAUNCHER_ALLOWED_INSTANCE_TYPES", "t3.micro",
        "LAUNCHER_TOKEN_KEY", "none");
    try (WorkerProcess check = WorkerProcess.start(WorkerProcess.SERVICE_JAR, workDir, env, "check-config")) {
      assertThat(check.waitFor(60)).as(check.output()).isZero();
      assertThat(check.output())
          .contains("configuration is valid; queue https://sqs.us-east-1.amazonaws.com/1/requests");
    }
  }

  private static boolean isAbsentOne(String entry) {
    return ABSENT.stream().anyMatch(entry::startsWith)
        || ABSENT_GROUPS.stream().anyMatch(g -> entry.startsWith("META-INF/maven/" + g + "/"));
  }

  private static Set<String> entries(Path jar) throws IOException {
    try (JarFile file = new JarFile(jar.toFile())) {
      return file.stream().map(JarEntry::getName).collect(Collectors.toCollection(TreeSet::new));
    }
  }

  /** The subcommands {@code --help} lists, in its order. */
  private List<String> commands(Path jar) throws Exception {
    try (WorkerProcess help = WorkerProcess.start(jar, workDir, Map.of(), "--help")) {
      assertThat(help.waitFor(60)).as(help.output()).isZero();
      List<String> lines = help.output().lines().toList();
      int end = lines.indexOf("Exit codes:");
      return lines.subList(lines.indexOf("Commands:") + 1, end < 0 ? lines.size() : end).stream()
          .filter(l -> l.matches("  \\S.*")).map(l -> l.trim().split("\\s+")[0]).toList();
    }
  }
}
