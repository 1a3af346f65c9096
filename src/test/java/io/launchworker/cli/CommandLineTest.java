package io.launchworker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandLineTest {
  @TempDir
  Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return LaunchWorkerCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  private static final String QUEUES = "launcher.queue-url = \"https://sqs.us-east-1.amazonaws.com/1/q\"\n"
      + "launcher.dlq-url = \"https://sqs.us-east-1.amazonaws.com/1/d\"\n";
  /** What run needs decided beyond valid values: images, instance types, the token key ("none" written out). */
  private static final String DECIDED = "launcher.policy.allowed-image-ids = [\"ami-0123456789abcdef0\"]\n"
      + "launcher.policy.allowed-instance-types = [\"t3.micro\"]\nlauncher.token-key = none\n";
  /** A token key as `openssl rand -base64 32` prints it. */
  private static final String KEY = "c2VjcmV0LWtleS0wMTIzNDU2Nzg5YWJjZGVmLXNlY3JldA==";

  /** The version this build was made from, as the POM states it. */
  private static String pomVersion() throws IOException {
    Matcher version = Pattern.compile("<artifactId>ec2-launch-worker</artifactId>\\s*<version>([^<]+)</version>")
        .matcher(Files.readString(Path.of("pom.xml")));
    assertThat(version.find()).isTrue();
    return version.group(1);
  }

  @Test
  void everyCommandAnswersHelpAndDashHWithItsUsageAndExitsZero() {
    List<String> commands = List.copyOf(new picocli.CommandLine(new LaunchWorkerCommand()).getSubcommands().keySet());
    assertThat(commands).contains("run", "check-config", "sandbox", "enqueue", "audit", "bench");

    for (String command : commands) {
      for (String help : List.of("--help", "-h")) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);

        int code = run(command, help);

        assertThat(code).as(command + " " + help + ": " + err).isZero();
        assertThat(out.toString()).as(command + " " + help).contains("Usage: launch-worker " + command)
            .contains("Exit codes:");
        assertThat(err.toString()).as(command + " " + help).isEmpty();
      }
    }
  }

  @Test
  void benchHelpDocumentsTargetsWithItsOptionalRunCountAndScale() {
    int code = run("bench", "--help");

    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString()).contains("--targets[=RUNS]").contains("P1-P7").contains("(default: 3)")
        .contains("child process").contains("--scale=FACTOR").contains("target/bench")
        .contains("--requests=<requests>").contains("--json=FILE");
  }

  @Test
  void theSharingScenarioRefusesOptionsOfADrainAndPhasesWithoutReplicasBeforeStartingAnything() {
    assertThat(run("bench", "--replica-phases", "1,2", "--requests", "5")).isEqualTo(2);
    assertThat(err.toString()).contains("--replica-phases runs the sharing scenario").contains("--requests");

    err.getBuffer().setLength(0);
    assertThat(run("bench", "--replica-phases", "1,0,2")).isEqualTo(2);
    assertThat(err.toString()).contains("replica counts of at least 1").contains("[1, 0, 2]");

    err.getBuffer().setLength(0);
    assertThat(run("bench", "--replica-phases", "2", "--phase-length", "5s")).isEqualTo(2);
    assertThat(err.toString()).contains("--phase-length must be at least 10s");
  }

  @Test
  void versionPrintsTheVersionTheBuildWasMadeFrom() throws IOException {
    assertThat(run("--version")).isZero();
    assertThat(out.toString().strip()).isEqualTo("launch-worker " + pomVersion());
  }

  @Test
  void aMistypedCommandSaysWhatWasMeantAndWhereTheHelpIsInAFewLines() {
    assertThat(run("chek-config")).isEqualTo(2);
    assertThat(err.toString()).contains("launch-worker check-config").contains("See 'launch-worker --help'.");
    assertThat(err.toString().lines()).hasSizeLessThan(5);
  }

  @Test
  void checkConfigPrintsAConfigurationThatLoadsBackUnchanged() throws IOException {
    Path file = dir.resolve("mine.conf");
    Files.writeString(file, QUEUES + DECIDED
        + "launcher.policy.allowed-instance-types = [\"t3.*\", \"m7i.large\"]\n"
        + "launcher.defaults.tags { team = ci, \"cost centre\" = \"a=b\" }\nlauncher.sqs.wait-time = 5s\n");
    assertThat(run("check-config", "--config", file.toString())).as(err.toString()).isZero();
    String printed = out.toString();
    Path again = Files.writeString(dir.resolve("printed.conf"), printed);
    out.getBuffer().setLength(0);

    int code = run("check-config", "--config", again.toString());

    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString()).isEqualTo(printed).contains("cost centre").contains("m7i.large");
  }

  @Test
  void aPrintedSecretLoadedBackIsRefusedNamingTheKeyNotRunWithTheMask() throws IOException {
    Path file = Files.writeString(dir.resolve("secret.conf"), QUEUES + DECIDED
        + "launcher.token-key = \"" + KEY + "\"\n");
    assertThat(run("check-config", "--config", file.toString())).as(err.toString()).isZero();
    assertThat(out.toString()).contains("token-key=\"****\"").contains("token-key-previous=\"\"")
        .doesNotContain(KEY);
    Path printed = Files.writeString(dir.resolve("printed.conf"), out.toString());

    int code = run("check-config", "--config", printed.toString());

    assertThat(code).isEqualTo(2);
    assertThat(err.toString().lines()).singleElement().asString()
        .startsWith("launch-worker: configuration error: launcher.token-key = \"****\" (from " + printed)
        .contains("check-config's mask for a secret").contains("LAUNCHER_TOKEN_KEY");
  }

  /** Issue 19, items 1 and 2: a fresh install ran with allow-lists that allowed anything and no token key. */
  @Test
  void runRefusesToStartWithoutImageAndTypeListsOrATokenKeyNamingTheKeysInOneLine() throws IOException {
    Path file = Files.writeString(dir.resolve("fresh.conf"), QUEUES);

    int code = run("run", "--config", file.toString());

    assertThat(code).isEqualTo(2);
    assertThat(err.toString().lines()).singleElement().asString()
        .startsWith("launch-worker: configuration error: run needs a decision the built-in defaults leave open: "
            + "launcher.policy.allowed-image-ids is empty (LAUNCHER_ALLOWED_IMAGE_IDS; ")
        .contains("launcher.policy.allowed-instance-types is empty (LAUNCHER_ALLOWED_INSTANCE_TYPES; ")
        .contains("launcher.token-key is not set (LAUNCHER_TOKEN_KEY; ");
  }

  @Test
  void checkConfigPrintsTheConfigurationThenReportsWhatRunWouldRefuse() throws IOException {
    Path file = Files.writeString(dir.resolve("fresh.conf"), QUEUES
        + "launcher.policy.allowed-image-ids = [\"ami-0123456789abcdef0\"]\n");

    int code = run("check-config", "--config", file.toString());

    assertThat(code).isEqualTo(2);
    assertThat(out.toString()).contains("allowed-instance-types=[]").doesNotContain("configuration is valid");
    assertThat(err.toString().lines()).singleElement().asString()
        .contains("launcher.policy.allowed-instance-types is empty").contains("launcher.token-key is not set")
        .doesNotContain("allowed-image-ids");
  }

  @Test
  void checkConfigOnAFreshMachinePrintsTheBuiltInDefaultsThenEveryProblemAtOnceWithItsVariable() {
    int code = run("check-config");

    assertThat(code).isEqualTo(2);
    assertThat(out.toString()).contains("wait-time=\"20s\"").contains("queue-url=\"\"")
        .doesNotContain("configuration is valid");
    assertThat(err.toString().lines()).singleElement().asString()
        .startsWith("launch-worker: configuration error: launcher.queue-url is not set (LAUNCHER_QUEUE_URL); "
            + "launcher.dlq-url is not set (LAUNCHER_DLQ_URL); ")
        .contains("launcher.policy.allowed-image-ids is empty (LAUNCHER_ALLOWED_IMAGE_IDS; ")
        .contains("launcher.policy.allowed-instance-types is empty (LAUNCHER_ALLOWED_INSTANCE_TYPES; ")
        .contains("launcher.token-key is not set (LAUNCHER_TOKEN_KEY; ");
  }

  @Test
  void checkConfigReportsABadValueTogetherWithTheQueueItIsMissing() throws IOException {
    Path file = Files.writeString(dir.resolve("bad.conf"), DECIDED + "launcher.max-in-flight = 0\n");

    int code = run("check-config", "--config", file.toString());

    assertThat(code).isEqualTo(2);
    assertThat(err.toString().lines()).singleElement().asString()
        .contains("launcher.queue-url is not set (LAUNCHER_QUEUE_URL)").contains("launcher.max-in-flight")
        .doesNotContain("token-key");
  }

  @Test
  void checkConfigShowsABlankTokenKeyAsBlankAndRefusesIt() throws IOException {
    Path file = Files.writeString(dir.resolve("blank.conf"), QUEUES + DECIDED + "launcher.token-key = \"   \"\n");

    int code = run("check-config", "--config", file.toString());

    assertThat(code).isEqualTo(2);
    assertThat(out.toString()).contains("token-key=\"   \"").doesNotContain("****");
    assertThat(err.toString().lines()).singleElement().asString()
        .startsWith("launch-worker: configuration error: launcher.token-key = \"   \" (from " + file + ": 6): "
            + "is blank");
  }

  @Test
  void aShutdownGraceNotAboveTheWaitTimeIsAnErrorNamingBothKeys() throws IOException {
    Path file = Files.writeString(dir.resolve("grace.conf"), QUEUES + "launcher.shutdown.grace = 20s\n");

    int code = run("check-config", "--config", file.toString());

    assertThat(code).isEqualTo(2);
    assertThat(err.toString().lines()).singleElement().asString()
        .startsWith("launch-worker: configuration error: launcher.shutdown.grace = \"20s\" (from " + file + ": 3)")
        .contains("must be above launcher.sqs.wait-time = \"20s\" (from built-in default)");
  }

  @Test
  void anUnknownKeySaysWhichKeyWasMeantAlsoWithoutTheLauncherPrefix() throws IOException {
    Path file = Files.writeString(dir.resolve("typos.conf"), QUEUES + "launcher.max-in-fligt = 5\n"
        + "sqs.wait-time = 5s\nlauncher.wait-time = 5s\nlauncher.nonsense = 1\n");

    int code = run("check-config", "--config", file.toString());

    assertThat(code).isEqualTo(2);
    assertThat(err.toString().lines()).singleElement().asString()
        .contains("launcher.max-in-fligt (" + file + ": 3; did you mean launcher.max-in-flight?)")
        .contains("sqs.wait-time (" + file + ": 4; did you mean launcher.sqs.wait-time?)")
        .contains("launcher.wait-time (" + file + ": 5; did you mean launcher.sqs.wait-time?)")
        .contains("launcher.nonsense (" + file + ": 6)");
  }

  @Test
  void aBadConfigurationExitsWithCode2AndOneLineNamingKeyValueAndRule() throws IOException {
    Path file = dir.resolve("bad.conf");
    Files.writeString(file, "launcher { queue-url = \"https://sqs.us-east-1.amazonaws.com/1/q\"\n"
        + "dlq-url = \"https://sqs.us-east-1.amazonaws.com/1/d\"\nmax-in-flight = 0 }\n" + DECIDED);

    int code = run("check-config", "--config", file.toString());

    assertThat(code).isEqualTo(2);
    assertThat(err.toString().lines()).hasSize(1).first().asString()
        .startsWith("launch-worker: configuration error: launcher.max-in-flight = \"0\"")
        .contains("bad.conf: 3").endsWith("must be a whole number from 1 to 10000");
  }

  @Test
  void checkConfigPrintsTheEffectiveConfigurationWithCredentialsMasked() throws IOException {
    Path file = dir.resolve("ok.conf");
    Files.writeString(file, "launcher { queue-url = \"https://sqs.us-east-1.amazonaws.com/1/q\"\n"
        + "dlq-url = \"https://sqs.us-east-1.amazonaws.com/1/d\"\n"
        + "aws.ec2-endpoint = \"http://user:hunter2@localhost:4566\" }\n" + DECIDED);

    int code = run("check-config", "--config", file.toString());

    assertThat(code).isZero();
    assertThat(out.toString()).contains("max-in-flight=32").contains("****@localhost:4566")
        .doesNotContain("hunter2").contains("configuration is valid");
  }

  @Test
  void checkConfigPrintsTheConsistencyWindowAndTheShapeCapBesideTheirNeighbours() throws IOException {
    Path file = Files.writeString(dir.resolve("doubt.conf"), QUEUES + DECIDED
        + "launcher.retry.consistency-window = 30s\n");

    assertThat(run("check-config", "--config", file.toString())).as(err.toString()).isZero();

    assertThat(out.toString()).containsPattern("retry \\{[^}]*\\s+consistency-window=\"30s\"\\s")
        .containsPattern("policy \\{[^}]*\\s+max-shapes=20\\s");
  }

  @Test
  void aShapeCapAboveTheLargestRequestIsAnErrorNamingKeyValueAndWhatIsAllowed() throws IOException {
    Path file = Files.writeString(dir.resolve("shapes.conf"), QUEUES + "launcher.policy.max-shapes = 500\n" + DECIDED);

    int code = run("check-config", "--config", file.toString());

    assertThat(code).isEqualTo(2);
    assertThat(err.toString().lines()).singleElement().asString()
        .isEqualTo("launch-worker: configuration error: launcher.policy.max-shapes = \"500\" (from " + file
            + ": 3): must be a whole number from 1 to 320");
  }

  @Test
  void aMissingConfigFileIsAConfigurationError() {
    assertThat(run("check-config", "--config", dir.resolve("nope.conf").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("nope.conf: no such file");
  }

  @Test
  void anUnknownCommandIsAUsageErrorWithCode2() {
    assertThat(run("launch-everything")).isEqualTo(2);
  }
}
