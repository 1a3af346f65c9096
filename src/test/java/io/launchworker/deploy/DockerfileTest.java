package io.launchworker.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.launchworker.cli.ServiceCommand;
import io.launchworker.config.EnvOverrides;
import com.sun.net.httpserver.HttpServer;
import io.launchworker.deploy.DockerfileInstructions.Instruction;
import io.launchworker.testing.LocalProcesses;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/** docker/Dockerfile, read instruction by instruction, against the worker's configuration and service jar. */
class DockerfileTest {
  private static DockerfileInstructions dockerfile;
  private static int runtime;
  private static ShadedJar serviceJar;

  @BeforeAll
  static void read() throws Exception {
    dockerfile = DockerfileInstructions.read(DeploymentFiles.DOCKERFILE);
    runtime = dockerfile.lastStage();
    serviceJar = serviceJar();
  }

  /**
   * The service jar as Maven builds it: the shade execution of pom.xml that writes a jar of its own
   * ({@code outputFile}), its name with the {@code finalName} filled in, and its main class.
   */
  static ShadedJar serviceJar() throws Exception {
    Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(DeploymentFiles.ROOT.resolve("pom.xml").toFile());
    XPath xpath = XPathFactory.newInstance().newXPath();
    String finalName = xpath.evaluate("/project/build/finalName", pom);
    String execution = "/project/build/plugins/plugin[artifactId='maven-shade-plugin']/executions/execution"
        + "[configuration/outputFile]";
    assertThat(((Double) xpath.evaluate("count(" + execution + ")", pom, XPathConstants.NUMBER)).intValue())
        .as("shade executions writing a jar of their own").isEqualTo(1);
    String output = xpath.evaluate(execution + "/configuration/outputFile", pom);
    String mainClass = xpath.evaluate(execution + "/configuration/transformers/transformer/mainClass", pom);
    String name = output.substring(output.lastIndexOf('/') + 1).replace("${project.build.finalName}", finalName);
    return new ShadedJar(name, finalName + ".jar", mainClass);
  }

  /** A shaded jar of the build: its file name, the full tool's beside it, and its {@code Main-Class}. */
  record ShadedJar(String name, String fullJarName, String mainClass) {}

  /** The numeric user the runtime stage switches to. */
  static long runtimeUid() throws IOException {
    DockerfileInstructions d = DockerfileInstructions.read(DeploymentFiles.DOCKERFILE);
    String user = d.only(d.lastStage(), "USER").arguments();
    return Long.parseLong(user.split(":")[0]);
  }

  @Test
  void buildsWithMavenInOneStageAndRunsOnASlimJre17InAnother() {
    assertThat(dockerfile.stageCount()).isEqualTo(2);
    String build = dockerfile.from(0);
    String run = dockerfile.from(runtime);

    assertThat(build).startsWith("maven:").contains("temurin-17").endsWith(" AS build");
    assertThat(run).startsWith("eclipse-temurin:17-jre");
    assertThat(dockerfile.only(0, "RUN").arguments()).contains("mvn").contains("package");
  }

  /**
   * Issue 19, item 7: the base images were tags, which their publisher (or whoever takes over the account) can move
   * to other content between two builds. Each is now a digest, behind an ARG a build may override (a mirror, a local
   * stand-in), with its tag in a comment above it.
   */
  @Test
  void everyBaseImageIsPinnedByDigestBehindAnArgWithItsTagInTheCommentAbove() throws IOException {
    List<String> lines = java.nio.file.Files.readAllLines(DeploymentFiles.DOCKERFILE);
    Pattern pinned = Pattern.compile("([a-z0-9./-]+:[\\w.-]+)@sha256:[0-9a-f]{64}( AS \\w+)?");

    for (int stage = 0; stage < dockerfile.stageCount(); stage++) {
      assertThat(dockerfile.only(stage, "FROM").arguments()).as("stage " + stage).matches("\\$\\{\\w+}( AS \\w+)?");
      Matcher from = pinned.matcher(dockerfile.from(stage));
      assertThat(from.matches()).as("stage %d: %s", stage, dockerfile.from(stage)).isTrue();
      String tag = from.group(1);
      int arg = lines.indexOf(lines.stream().filter(l -> l.startsWith("ARG ") && l.contains("=" + tag + "@sha256:"))
          .findFirst().orElseThrow());
      assertThat(lines.get(arg - 1)).as("the comment above the ARG of " + tag).startsWith("# " + tag);
    }
    assertThat(lines).as("a syntax line pulls a frontend image, unpinned").noneMatch(l -> l.startsWith("# syntax="));
  }

  @Test
  void runtimeImageHoldsOnlyTheServiceJarAndTheConfigFolder() {
    List<String> copied = dockerfile.inStage(runtime, "COPY").stream().map(DockerfileTest::copySource).toList();

    assertThat(copied).containsExactlyInAnyOrder("build:/src/target/" + serviceJar.name(), "config/");
    assertThat(DeploymentFiles.CONFIG_REFERENCE).exists();
    assertThat(dockerfile.inStage(runtime, "ADD")).isEmpty();
  }

  /** The image runs what production needs; sandbox and bench, with ElasticMQ's closure, stay in the full jar. */
  @Test
  void imageShipsTheServiceJarNotTheFullTool() {
    assertThat(serviceJar.mainClass()).isEqualTo(ServiceCommand.class.getName());
    assertThat(serviceJar.name()).isNotEqualTo(serviceJar.fullJarName());
  }

  @Test
  void runsAsANumericNonRootUser() throws IOException {
    String user = dockerfile.only(runtime, "USER").arguments();

    assertThat(user).matches("\\d+(:\\d+)?");
    assertThat(runtimeUid()).isNotZero();
  }

  @Test
  void jarAndConfigurationBelongToRootAndAreReadOnlyToTheRuntimeUser() throws IOException {
    List<Instruction> copies = dockerfile.inStage(runtime, "COPY");
    Instruction jar = copies.stream().filter(c -> copySource(c).endsWith(serviceJar.name())).findFirst().orElseThrow();
    List<String> runs = dockerfile.inStage(runtime, "RUN").stream().map(Instruction::arguments).toList();

    copies.forEach(copy -> assertThat(flags(copy)).as(copy.arguments()).contains("--chown=root:root"));
    assertThat(flags(jar)).contains("--chmod=0444");
    assertThat(runs).anySatisfy(run -> assertThat(run)
        .contains("find /app/config -type d -exec chmod 0555 {} +")
        .contains("find /app/config -type f -exec chmod 0444 {} +")
        .contains("chmod 0555 /app"));
    long uid = runtimeUid();
    assertThat(dockerfile.inStage(runtime, "COPY").stream().map(Instruction::arguments)).as("nothing handed to "
        + "the runtime user").noneMatch(a -> a.contains("--chown=" + uid) || a.contains("--chown=worker"));
    assertThat(runs).noneMatch(run -> run.contains("chown"));
    assertThat(uid).isNotZero();
  }

  @Test
  void containerListensOnEveryInterfaceOfItsOwnNetwork() {
    assertThat(dockerfile.inStage(runtime, "ENV").stream().map(Instruction::arguments))
        .contains("LAUNCHER_ADMIN_HOST=0.0.0.0");
    assertThat(EnvOverrides.VARIABLES).containsEntry("LAUNCHER_ADMIN_HOST", "launcher.admin.host");
    assertThat(DeploymentFiles.undocumented("LAUNCHER_ADMIN_HOST")).isEmpty();
  }

  @Test
  void healthCheckAsksTheLivenessPathOnTheConfiguredAdminPort() throws Exception {
    int defaultPort = DeploymentFiles.defaultInt("launcher.admin.port");
    String check = dockerfile.only(runtime, "HEALTHCHECK").arguments();

    Matcher url = Pattern.compile("http://127\\.0\\.0\\.1:\\$\\{(\\w+):-(\\d+)}(/[\\w/]+)").matcher(check);
    assertThat(url.find()).as("health check URL in: " + check).isTrue();
    assertThat(EnvOverrides.VARIABLES).containsEntry(url.group(1), "launcher.admin.port");
    assertThat(Integer.parseInt(url.group(2))).isEqualTo(defaultPort);
    assertThat(url.group(3)).isEqualTo("/health/live");
    assertThat(dockerfile.only(runtime, "EXPOSE").arguments()).isEqualTo(Integer.toString(defaultPort));
    try (AdminEndpoints admin = new AdminEndpoints()) {
      assertThat(admin.status(url.group(3))).isEqualTo(200);
    }
  }

  /**
   * The HEALTHCHECK's command run by {@code sh} as the container runs it (the runtime base ships curl; skipped where
   * this machine has none): 0 on a live worker, 1 (Docker's "unhealthy") on an HTTP error or no answer, and deaf to
   * the proxy variables a container may be given for its AWS calls.
   */
  @Test
  void healthCheckCommandPassesOnALiveWorkerFailsOnAnErrorOrNoAnswerAndIgnoresProxies() throws Exception {
    assumeTrue(LocalProcesses.onPath("curl").isPresent(), "skipped: no curl on PATH to run the health check with");
    String check = dockerfile.only(runtime, "HEALTHCHECK").arguments();
    String command = check.substring(check.indexOf(" CMD ") + " CMD ".length());
    String nobody = Integer.toString(LocalProcesses.freePort());
    HttpServer failing = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    failing.createContext("/", exchange -> {
      exchange.sendResponseHeaders(503, -1);
      exchange.close();
    });
    failing.start();
    try (AdminEndpoints admin = new AdminEndpoints()) {
      String live = Integer.toString(admin.port());
      String proxy = "http://127.0.0.1:" + nobody;

      assertThat(exitCode(command, Map.of("LAUNCHER_ADMIN_PORT", live))).isZero();
      assertThat(exitCode(command, Map.of("LAUNCHER_ADMIN_PORT", live, "http_proxy", proxy, "ALL_PROXY", proxy)))
          .isZero();
      assertThat(exitCode(command, Map.of("LAUNCHER_ADMIN_PORT", Integer.toString(failing.getAddress().getPort()))))
          .isEqualTo(1);
      assertThat(exitCode(command, Map.of("LAUNCHER_ADMIN_PORT", nobody))).isEqualTo(1);
    } finally {
      failing.stop(0);
    }
  }

  /** {@code sh -c command} with these variables and none of this machine's proxy settings; its exit code. */
  private static int exitCode(String command, Map<String, String> env) throws Exception {
    ProcessBuilder builder = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    builder.environment().keySet().removeIf(k -> k.toLowerCase(Locale.ROOT).endsWith("_proxy"));
    builder.environment().putAll(env);
    Process process = builder.start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("health check finished").isTrue();
    return process.exitValue();
  }

  /** The percentage of the container's memory limit the image's JVM sizes its heap from. */
  static double maxRamPercentage() throws IOException {
    DockerfileInstructions d = DockerfileInstructions.read(DeploymentFiles.DOCKERFILE);
    List<String> flags = execForm(d.only(d.lastStage(), "ENTRYPOINT")).stream()
        .filter(a -> a.startsWith("-XX:MaxRAMPercentage=")).toList();
    assertThat(flags).as("one -XX:MaxRAMPercentage in the ENTRYPOINT").hasSize(1);
    return Double.parseDouble(flags.get(0).substring("-XX:MaxRAMPercentage=".length()));
  }

  @Test
  void javaIsPid1AndStopsOnSigterm() throws IOException {
    assertThat(dockerfile.only(runtime, "STOPSIGNAL").arguments()).isEqualTo("SIGTERM");
    List<String> entrypoint = execForm(dockerfile.only(runtime, "ENTRYPOINT"));

    assertThat(entrypoint.get(0)).isEqualTo("java");
    assertThat(entrypoint).endsWith("-jar", "/app/" + serviceJar.name());
    assertThat(execForm(dockerfile.only(runtime, "CMD"))).containsExactly("run");
  }

  @Test
  void heapFollowsTheContainerMemoryLimit() throws IOException {
    List<String> entrypoint = execForm(dockerfile.only(runtime, "ENTRYPOINT"));

    assertThat(entrypoint).anyMatch(a -> a.startsWith("-XX:MaxRAMPercentage="))
        .contains("-XX:+ExitOnOutOfMemoryError")
        .noneMatch(a -> a.startsWith("-Xmx") || a.startsWith("-Xms"));
  }

  /**
   * G1 in the container it is made for: left to itself the JVM picks Serial under 1792 MiB (the 512Mi limit), where
   * the image's G1 options would do nothing. Chosen as the JVM's default, not named: a collector named in
   * JAVA_TOOL_OPTIONS next to a named one stops the JVM at start ("Multiple garbage collectors selected").
   */
  @Test
  void g1IsTheCollectorInASmallContainerAndJavaToolOptionsMayStillNameAnother() throws IOException {
    List<String> entrypoint = execForm(dockerfile.only(runtime, "ENTRYPOINT"));

    assertThat(entrypoint).contains("-XX:+AlwaysActAsServerClassMachine")
        .noneMatch(a -> a.matches("-XX:\\+Use\\w+GC"));
    assertThat(entrypoint).filteredOn(a -> a.startsWith("-XX:G1")).isNotEmpty();
  }

  /** An exec-form (JSON array) instruction's words; a shell form fails the test, as signals would not reach java. */
  private static List<String> execForm(Instruction instruction) throws IOException {
    assertThat(instruction.arguments()).as(instruction.keyword() + " in exec form").startsWith("[");
    return Arrays.asList(new ObjectMapper().readValue(instruction.arguments(), String[].class));
  }

  /** The {@code --flag=value} words of an instruction. */
  private static List<String> flags(Instruction instruction) {
    return Arrays.stream(instruction.arguments().split("\\s+")).filter(w -> w.startsWith("--")).toList();
  }

  /** {@code stage:source} for {@code COPY --from=stage}, else the source, of a one-source COPY. */
  private static String copySource(Instruction copy) {
    List<String> words = Arrays.stream(copy.arguments().split("\\s+")).toList();
    String from = words.stream().filter(w -> w.startsWith("--from=")).map(w -> w.substring(7) + ":")
        .findFirst().orElse("");
    List<String> paths = words.stream().filter(w -> !w.startsWith("--")).toList();
    assertThat(paths).as("one source and a destination: " + copy).hasSize(2);
    return from + paths.get(0);
  }
}
