package io.launchworker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  private static final String QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/launch-requests";
  private static final String DLQ = "https://sqs.us-east-1.amazonaws.com/123456789012/launch-requests-dlq";
  private static final Map<String, String> REQUIRED_ENV = Map.of("LAUNCHER_QUEUE_URL", QUEUE, "LAUNCHER_DLQ_URL", DLQ);

  @TempDir
  Path dir;

  @Test
  void builtInDefaultsAreTheOnesDocumentedInWorkerConf() {
    WorkerConfig c = ConfigLoader.load(Optional.empty(), REQUIRED_ENV, Map.of());

    assertThat(c.queueUrl()).isEqualTo(QUEUE);
    assertThat(c.dlqUrl()).isEqualTo(DLQ);
    assertThat(c.resultsQueueUrl()).isEmpty();
    assertThat(c.maxInFlight()).isEqualTo(32);
    assertThat(c.maxAttempts()).isEqualTo(10);
    assertThat(c.sqs().waitTime()).isEqualTo(Duration.ofSeconds(20));
    assertThat(c.sqs().visibilityTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.shutdownGrace()).isEqualTo(Duration.ofSeconds(25));
    assertThat(c.admin().port()).isEqualTo(9400);
    assertThat(c.policy().maxInstancesPerRequest()).isEqualTo(10);
    assertThat(c.policy().allowedInstanceTypes()).isEmpty();
    assertThat(c.ec2().runInstancesBurst()).isEqualTo(5);
    assertThat(c.ec2().runInstancesPerSecond()).isEqualTo(2.0);
    assertThat(c.aws().region()).isEmpty();
    assertThat(c.aws().sqsEndpoint()).isEmpty();
  }

  @Test
  void environmentOverridesTheFileAndTheFileOverridesTheDefaults() throws IOException {
    Path file = write("launcher { max-in-flight = 8, max-attempts = 4, policy.allowed-instance-types = [\"t3.*\"] }");
    Map<String, String> env = new java.util.HashMap<>(REQUIRED_ENV);
    env.put("LAUNCHER_MAX_IN_FLIGHT", "64");
    env.put("LAUNCHER_ADMIN_PORT", "9500");
    env.put("LAUNCHER_RESULTS_QUEUE_URL", QUEUE + "-results");

    WorkerConfig c = ConfigLoader.load(Optional.of(file), env, Map.of());

    assertThat(c.maxInFlight()).isEqualTo(64);
    assertThat(c.maxAttempts()).isEqualTo(4);
    assertThat(c.admin().port()).isEqualTo(9500);
    assertThat(c.resultsQueueUrl()).contains(QUEUE + "-results");
    assertThat(c.policy().allowedInstanceTypes()).containsExactly("t3.*");
  }

  @Test
  void aBadEnvironmentValueNamesTheKeyTheValueItsSourceAndWhatIsAllowed() {
    Map<String, String> env = new java.util.HashMap<>(REQUIRED_ENV);
    env.put("LAUNCHER_MAX_IN_FLIGHT", "lots");

    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), env, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("launcher.max-in-flight = \"lots\" (from environment variable LAUNCHER_MAX_IN_FLIGHT): "
            + "must be a whole number from 1 to 10000");
  }

  @Test
  void aMissingQueueUrlSaysItIsRequired() {
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of(), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("launcher.queue-url = \"\" (from built-in default): is required");
  }

  @Test
  void anUnknownKeyInTheFileIsRejectedWithWhereItIs() throws IOException {
    Path file = write("launcher {\n  max-in-fligth = 8\n}\n");

    assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file), REQUIRED_ENV, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown configuration key launcher.max-in-fligth")
        .hasMessageContaining("worker.conf: 2");
  }

  @Test
  void outOfRangeDurationsAndWrongTypesAreRejected() throws IOException {
    assertThatThrownBy(() -> load("launcher.sqs.wait-time = 30s"))
        .hasMessageContaining("launcher.sqs.wait-time = \"30s\"").hasMessageContaining("must be from 0s to 20s");
    assertThatThrownBy(() -> load("launcher.sqs.visibility-timeout = soon"))
        .hasMessageContaining("must be a duration with a unit");
    assertThatThrownBy(() -> load("launcher.policy.allowed-image-ids = \"ami-1\""))
        .hasMessageContaining("must be a list of strings");
    assertThatThrownBy(() -> load("launcher.admin.port = 70000"))
        .hasMessageContaining("must be a whole number from -1 to 65535");
    assertThatThrownBy(() -> load("launcher.results-queue-url = \"not a url\""))
        .hasMessageContaining("launcher.results-queue-url = \"not a url\"").hasMessageContaining("not a valid URL");
    assertThatThrownBy(() -> load("launcher.ec2.run-instances-per-second = 0"))
        .hasMessageContaining("must be a number above 0");
  }

  @Test
  void defaultTagsAreAFreeFormMap() throws IOException {
    WorkerConfig c = load("launcher.defaults.tags { team = ci, \"cost-center\" = \"42\" }");

    assertThat(c.defaults().tags()).containsEntry("team", "ci").containsEntry("cost-center", "42");
  }

  @Test
  void moreDefaultTagsThanARequestMayCarryAreAnErrorNamingTheKey() throws IOException {
    String fortySeven = java.util.stream.IntStream.range(0, 47).mapToObj(i -> "d" + i + " = v")
        .collect(java.util.stream.Collectors.joining(", "));
    assertThat(load("launcher.defaults.tags { " + fortySeven + " }").defaults().tags()).hasSize(47);

    assertThatThrownBy(() -> load("launcher.defaults.tags { " + fortySeven + ", d47 = v }"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("launcher.defaults.tags: 48 tags (from ")
        .hasMessageContaining("worker.conf: 1")
        .hasMessageContaining("allowed: at most 47 (EC2 allows 50 tags per instance and the worker adds its own 3)");
    assertThatThrownBy(() -> ProducerConfig.load(Optional.of(dir.resolve("worker.conf")), Map.of()))
        .as("enqueue reads the same rule").isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("launcher.defaults.tags: 48 tags");
  }

  @Test
  void encryptedVolumesAreRequiredAndAnyTagKeyAllowedByDefaultAndBothLoadFromTheFileAndTheEnvironment()
      throws IOException {
    WorkerConfig builtIn = ConfigLoader.load(Optional.empty(), REQUIRED_ENV, Map.of());
    assertThat(builtIn.policy().requireEncryptedVolumes()).isTrue();
    assertThat(builtIn.policy().allowedTagKeys()).isEmpty();
    assertThat(builtIn.defaults().enforcedTags()).isEmpty();

    WorkerConfig c = load("launcher.policy { require-encrypted-volumes = false, allowed-tag-keys = [\"team\"] }\n"
        + "launcher.tags.enforced { CostCenter = \"4711\", owner-team = platform }");
    assertThat(c.policy().requireEncryptedVolumes()).isFalse();
    assertThat(c.policy().allowedTagKeys()).containsExactly("team");
    assertThat(c.defaults().enforcedTags()).containsOnly(Map.entry("CostCenter", "4711"),
        Map.entry("owner-team", "platform"));
    assertThat(ProducerConfig.load(Optional.of(dir.resolve("worker.conf")), Map.of()).defaults().enforcedTags())
        .as("enqueue checks the same").containsKey("CostCenter");

    Map<String, String> env = new java.util.HashMap<>(REQUIRED_ENV);
    env.put("LAUNCHER_REQUIRE_ENCRYPTED_VOLUMES", "false");
    env.put("LAUNCHER_ALLOWED_TAG_KEYS", "team, job-*");
    WorkerConfig fromEnv = ConfigLoader.load(Optional.empty(), env, Map.of());
    assertThat(fromEnv.policy().requireEncryptedVolumes()).isFalse();
    assertThat(fromEnv.policy().allowedTagKeys()).containsExactly("team", "job-*");

    env.put("LAUNCHER_REQUIRE_ENCRYPTED_VOLUMES", "no");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), env, Map.of()))
        .hasMessage("launcher.policy.require-encrypted-volumes = \"no\" (from environment variable "
            + "LAUNCHER_REQUIRE_ENCRYPTED_VOLUMES): must be one of true, false");
  }

  @Test
  void anEnforcedTagEc2OrTheWorkersOwnTagsWouldRefuseStopsStartUpNamingIt() {
    assertThatThrownBy(() -> load("launcher.tags.enforced { \"aws:createdBy\" = me }"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("launcher.tags.enforced.\"aws:createdBy\" = \"me\" (from ")
        .hasMessageContaining("the key is reserved");
    assertThatThrownBy(() -> load("launcher.tags.enforced { \"Launch-Worker:token\" = x }"))
        .hasMessageContaining("launcher.tags.enforced.\"Launch-Worker:token\"")
        .hasMessageContaining("\"launch-worker:\" (the worker's own tags)");
    assertThatThrownBy(() -> load("launcher.tags.enforced { team = \"" + "v".repeat(257) + "\" }"))
        .hasMessageContaining("launcher.tags.enforced.team").hasMessageContaining("a value of at most 256");
    String fortySix = java.util.stream.IntStream.range(0, 46).mapToObj(i -> "d" + i + " = v")
        .collect(java.util.stream.Collectors.joining(", "));
    assertThatThrownBy(() -> load("launcher.defaults.tags { " + fortySix + " }\n"
        + "launcher.tags.enforced { e0 = v, e1 = v }"))
        .hasMessageStartingWith("launcher.defaults.tags: 48 tags with those of launcher.tags.enforced (from ");
  }

  @Test
  void theNewAllowListsLoadAndLaunchTemplatesAreRefusedUnlessListed() throws IOException {
    WorkerConfig builtIn = ConfigLoader.load(Optional.empty(), REQUIRED_ENV, Map.of());
    assertThat(builtIn.policy().allowedLaunchTemplates()).as("no template unless listed").isEmpty();
    assertThat(builtIn.policy().allowedSecurityGroupIds()).isEmpty();
    assertThat(builtIn.policy().allowedKeyNames()).isEmpty();
    assertThat(builtIn.policy().allowedInstanceProfiles()).isEmpty();

    WorkerConfig c = load("launcher.policy { allowed-launch-templates = [\"web-*\"], "
        + "allowed-security-group-ids = [\"sg-12345678\"], allowed-key-names = [\"ci-*\"], "
        + "allowed-instance-profiles = [\"arn:aws:iam::123456789012:instance-profile/runner\"] }");

    assertThat(c.policy().allowedLaunchTemplates()).containsExactly("web-*");
    assertThat(c.policy().allowedSecurityGroupIds()).containsExactly("sg-12345678");
    assertThat(c.policy().allowedKeyNames()).containsExactly("ci-*");
    assertThat(c.policy().allowedInstanceProfiles())
        .containsExactly("arn:aws:iam::123456789012:instance-profile/runner");
  }

  @Test
  void marketsAndTheRootVolumeCapLoadFromTheFileAndTheEnvironmentAndABadMarketIsNamed() throws IOException {
    WorkerConfig builtIn = ConfigLoader.load(Optional.empty(), REQUIRED_ENV, Map.of());
    assertThat(builtIn.policy().allowedMarkets()).as("both markets, written out")
        .containsExactly(io.launchworker.request.Market.ON_DEMAND, io.launchworker.request.Market.SPOT);
    assertThat(builtIn.policy().maxRootVolumeGib()).isEqualTo(1024);

    WorkerConfig c = load("launcher.policy { allowed-markets = [\"on-demand\"], max-root-volume-gib = 100 }");
    assertThat(c.policy().allowedMarkets()).containsExactly(io.launchworker.request.Market.ON_DEMAND);
    assertThat(c.policy().maxRootVolumeGib()).isEqualTo(100);

    Map<String, String> env = new java.util.HashMap<>(REQUIRED_ENV);
    env.put("LAUNCHER_ALLOWED_MARKETS", "spot");
    env.put("LAUNCHER_MAX_ROOT_VOLUME_GIB", "64");
    WorkerConfig fromEnv = ConfigLoader.load(Optional.empty(), env, Map.of());
    assertThat(fromEnv.policy().allowedMarkets()).containsExactly(io.launchworker.request.Market.SPOT);
    assertThat(fromEnv.policy().maxRootVolumeGib()).isEqualTo(64);

    assertThatThrownBy(() -> load("launcher.policy.allowed-markets = [\"reserved\"]"))
        .hasMessageContaining("launcher.policy.allowed-markets = reserved").hasMessageContaining("\"on-demand\"");
    assertThatThrownBy(() -> load("launcher.policy.max-root-volume-gib = 20000"))
        .hasMessageContaining("launcher.policy.max-root-volume-gib");
  }

  @Test
  void theConsistencyWindowAndTheShapeCapLoadFromTheFileAndTheEnvironment() throws IOException {
    WorkerConfig builtIn = ConfigLoader.load(Optional.empty(), REQUIRED_ENV, Map.of());
    assertThat(builtIn.retry().consistencyWindow()).isEqualTo(Duration.ofMinutes(2))
        .isEqualTo(WorkerConfig.Retry.DEFAULT_CONSISTENCY_WINDOW);
    assertThat(builtIn.policy().maxShapes()).isEqualTo(20)
        .isEqualTo(io.launchworker.request.LaunchPolicy.DEFAULT_MAX_SHAPES);

    WorkerConfig c = load("launcher { retry.consistency-window = 90s, policy.max-shapes = 320 }");
    assertThat(c.retry().consistencyWindow()).isEqualTo(Duration.ofSeconds(90));
    assertThat(c.policy().maxShapes()).isEqualTo(320);
    assertThat(load("launcher.retry.consistency-window = 0s").retry().consistencyWindow())
        .as("0s turns the waiting off, for tests and emulators").isZero();

    Map<String, String> env = new java.util.HashMap<>(REQUIRED_ENV);
    env.put("LAUNCHER_CONSISTENCY_WINDOW", "5m");
    env.put("LAUNCHER_MAX_SHAPES", "4");
    WorkerConfig fromEnv = ConfigLoader.load(Optional.of(write("launcher.policy.max-shapes = 50")), env, Map.of());
    assertThat(fromEnv.retry().consistencyWindow()).isEqualTo(Duration.ofMinutes(5));
    assertThat(fromEnv.policy().maxShapes()).as("the environment wins over the file").isEqualTo(4);
    assertThat(ProducerConfig.load(Optional.empty(), env).policy().maxShapes())
        .as("enqueue checks requests against the same cap").isEqualTo(4);
  }

  @Test
  void aBadConsistencyWindowOrShapeCapNamesTheKeyTheValueItsSourceAndWhatIsAllowed() throws IOException {
    Map<String, String> env = new java.util.HashMap<>(REQUIRED_ENV);
    env.put("LAUNCHER_CONSISTENCY_WINDOW", "2h");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), env, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("launcher.retry.consistency-window = \"2h\" (from environment variable "
            + "LAUNCHER_CONSISTENCY_WINDOW): must be from 0s to 1h");

    Map<String, String> shapes = new java.util.HashMap<>(REQUIRED_ENV);
    shapes.put("LAUNCHER_MAX_SHAPES", "321");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), shapes, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("launcher.policy.max-shapes = \"321\" (from environment variable LAUNCHER_MAX_SHAPES): "
            + "must be a whole number from 1 to 320");
    assertThatThrownBy(() -> load("launcher.policy.max-shapes = 0"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("launcher.policy.max-shapes = \"0\" (from " + dir.resolve("worker.conf") + ": 1): "
            + "must be a whole number from 1 to 320");
    assertThatThrownBy(() -> load("launcher.retry.consistency-window = -1s"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("launcher.retry.consistency-window = \"-1s\"")
        .hasMessageEndingWith("must be from 0s to 1h");
  }

  @Test
  void aDefaultInstanceTypeItsOwnListRefusesStopsStartUpNamingBothKeys() throws IOException {
    assertThat(load("launcher { policy.allowed-instance-types = [\"t3.*\"], defaults.instance-type = t3.small }")
        .defaults().instanceType()).contains("t3.small");

    assertThatThrownBy(() -> load("launcher {\n policy.allowed-instance-types = [\"t3.*\"]\n"
        + " defaults.instance-type = m5.large\n}"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("launcher.defaults.instance-type = \"m5.large\" (from " + dir.resolve("worker.conf")
            + ": 3): \"m5.large\" is refused by launcher.policy.allowed-instance-types = [t3.*], so every request "
            + "that leaves the field out would be rejected; allowed: a default that "
            + "launcher.policy.allowed-instance-types allows, or none");
  }

  @Test
  void aDefaultSubnetItsOwnListRefusesStopsStartUpNamingBothKeys() {
    assertThatThrownBy(() -> load("launcher { policy.allowed-subnet-ids = [subnet-12345678], "
        + "defaults.subnet-id = subnet-87654321 }"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("launcher.defaults.subnet-id = \"subnet-87654321\"")
        .hasMessageContaining("is refused by launcher.policy.allowed-subnet-ids = [subnet-12345678]");
  }

  @Test
  void aDefaultSecurityGroupItsOwnListRefusesStopsStartUpNamingBothKeysAndTheGroup() {
    assertThatThrownBy(() -> load("launcher { policy.allowed-security-group-ids = [sg-12345678], "
        + "defaults.security-group-ids = [sg-12345678, sg-87654321] }"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("launcher.defaults.security-group-ids = ")
        .hasMessageContaining("\"sg-87654321\" is refused by launcher.policy.allowed-security-group-ids = "
            + "[sg-12345678]");
  }

  @Test
  void enqueueRefusesTheSameMisconfiguredDefaultAsTheWorker() throws IOException {
    Path file = write("launcher { policy.allowed-instance-types = [\"t3.*\"], defaults.instance-type = m5.large }");

    assertThatThrownBy(() -> ProducerConfig.load(Optional.of(file), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("launcher.defaults.instance-type = \"m5.large\"")
        .hasMessageContaining("launcher.policy.allowed-instance-types");
  }

  @Test
  void imdsV2IsRequiredByDefaultWithHopLimitOneAndImdsV1AllowedIsTheWayBack() throws IOException {
    WorkerConfig builtIn = ConfigLoader.load(Optional.empty(), REQUIRED_ENV, Map.of());
    assertThat(builtIn.defaults().imds()).isEqualTo(new io.launchworker.request.LaunchDefaults.Imds(false, 1));

    WorkerConfig c = load("launcher.defaults { imds-v1 = allowed, imds-hop-limit = 2 }");

    assertThat(c.defaults().imds()).isEqualTo(new io.launchworker.request.LaunchDefaults.Imds(true, 2));
    assertThatThrownBy(() -> load("launcher.defaults.imds-v1 = optional"))
        .hasMessageContaining("launcher.defaults.imds-v1 = \"optional\"")
        .hasMessageContaining("must be one of disabled, allowed");
    assertThatThrownBy(() -> load("launcher.defaults.imds-hop-limit = 0"))
        .hasMessageContaining("must be a whole number from 1 to 64");
    assertThatThrownBy(() -> load("launcher.defaults.imds-hop-limit = 65"))
        .hasMessageContaining("must be a whole number from 1 to 64");
  }

  @Test
  void theSandboxOverridesWinOverEverything() {
    WorkerConfig c = ConfigLoader.load(Optional.empty(), REQUIRED_ENV,
        Map.of("launcher.queue-url", "http://127.0.0.1:9324/000000000000/q", "launcher.policy.allowed-subnet-ids",
            List.of("subnet-12345678")));

    assertThat(c.queueUrl()).isEqualTo("http://127.0.0.1:9324/000000000000/q");
    assertThat(c.policy().allowedSubnetIds()).containsExactly("subnet-12345678");
  }

  private WorkerConfig load(String content) throws IOException {
    return ConfigLoader.load(Optional.of(write(content)), REQUIRED_ENV, Map.of());
  }

  @Test
  void theAdminServerListensOnLoopbackAndKnowsNoExtraHostNamesByDefault() {
    WorkerConfig c = ConfigLoader.load(Optional.empty(), REQUIRED_ENV, Map.of());

    assertThat(c.admin().host()).isEqualTo("127.0.0.1");
    assertThat(c.admin().allowedHosts()).isEmpty();
  }

  @Test
  void containersSetTheAdminHostAndItsAllowedNamesThroughTheEnvironmentAsACommaSeparatedList() {
    Map<String, String> env = new java.util.HashMap<>(REQUIRED_ENV);
    env.put("LAUNCHER_ADMIN_HOST", "0.0.0.0");
    env.put("LAUNCHER_ADMIN_ALLOWED_HOSTS", "worker, Launch-Worker.ops.svc,");

    WorkerConfig c = ConfigLoader.load(Optional.empty(), env, Map.of());

    assertThat(c.admin().host()).isEqualTo("0.0.0.0");
    assertThat(c.admin().allowedHosts()).containsExactly("worker", "launch-worker.ops.svc");
  }

  @Test
  void anAllowedHostWithASchemeOrPortIsRejectedNamingKeyAndValue() throws IOException {
    Path file = write("launcher.admin.allowed-hosts = [\"worker\", \"http://worker:9400\"]");

    assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file), REQUIRED_ENV, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("launcher.admin.allowed-hosts = ")
        .hasMessageContaining("\"http://worker:9400\" is not a host name");
  }

  private Path write(String content) throws IOException {
    Path file = dir.resolve("worker.conf");
    Files.writeString(file, content);
    return file;
  }
}
