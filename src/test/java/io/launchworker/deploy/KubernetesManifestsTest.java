package io.launchworker.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.launchworker.config.EnvOverrides;
import io.launchworker.config.WorkerConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** docker/k8s/*.yaml, read as the API server would, against the worker's configuration and image. */
class KubernetesManifestsTest {
  /**
   * EC2's default API limits per account and region (DESIGN.md, "Facts that shape the rules"). All replicas
   * draw on one budget, so each replica's share times the most replicas KEDA may run must fit in it.
   */
  private static final double RUN_INSTANCES_REFILL_PER_SECOND = 2.0;
  private static final int RUN_INSTANCES_BURST = 5;
  private static final double DESCRIBE_REFILL_PER_SECOND = 20.0;
  private static final int DESCRIBE_BURST = 100;

  /**
   * What one worker process held under the bench's loads with the image's JVM flags and a 512 MiB limit, when its
   * heap could grow to 75 % of it (performance.md, "Memory under load"; 3 runs each): the largest peak RSS of any
   * run, the most of it outside the Java heap (RSS minus the heap G1 had committed, from GC logs), and the median
   * peak of the busiest scenario without slow launches. With the heap at 50 % every figure was lower.
   */
  private static final long MEASURED_PEAK_RSS_MIB = 368;
  private static final long MEASURED_NON_HEAP_MIB = 128;
  private static final long MEASURED_TYPICAL_RSS_MIB = 294;

  private final List<JsonNode> documents = DeploymentFiles.yamlDocuments(DeploymentFiles.K8S);
  private final JsonNode deployment = one("Deployment");
  private final JsonNode podSpec = deployment.path("spec").path("template").path("spec");
  private final JsonNode container = podSpec.path("containers").get(0);
  private final Map<String, String> env = env(container);
  private final JsonNode configMap = one("ConfigMap");
  private final WorkerConfig config = DeploymentFiles.effectiveConfig(
      Optional.of(configMap.path("data").path("worker.conf").asText()), env);
  private final JsonNode scaledObject = one("ScaledObject");

  @Test
  void configMapIsMountedWhereRunLooksForItsConfigFile() {
    JsonNode mount = volumeMountOf("configMap", "name", configMap.path("metadata").path("name").asText());
    List<String> args = strings(container.path("args"));

    assertThat(args.subList(0, 3)).containsExactly("run", "--config", mount.path("mountPath").asText() + "/worker.conf");
    assertThat(mount.path("readOnly").asBoolean()).isTrue();
  }

  @Test
  void workerSetsOnlyDocumentedEnvironmentVariables() {
    assertThat(env).containsKeys("LAUNCHER_QUEUE_URL", "LAUNCHER_DLQ_URL", "AWS_REGION");
    env.keySet().forEach(name -> assertThat(DeploymentFiles.undocumented(name)).as(name).isEmpty());
  }

  /** Issue 19, item 2: the token key is required, and a manifest is no place for it. */
  @Test
  void theTokenKeyComesFromASecretAndThePreviousOneOnlyWhenTheSecretHasIt() {
    JsonNode current = variable("LAUNCHER_TOKEN_KEY");
    JsonNode previous = variable("LAUNCHER_TOKEN_KEY_PREVIOUS");

    assertThat(current.has("value")).isFalse();
    JsonNode ref = current.path("valueFrom").path("secretKeyRef");
    assertThat(ref.path("name").asText()).isNotBlank();
    assertThat(ref.path("optional").asBoolean(false)).as("no key, no pod").isFalse();
    assertThat(previous.path("valueFrom").path("secretKeyRef").path("name").asText()).isEqualTo(ref.path("name")
        .asText());
    assertThat(previous.path("valueFrom").path("secretKeyRef").path("optional").asBoolean()).isTrue();
    assertThat(DeploymentFiles.undocumented("LAUNCHER_TOKEN_KEY")).isEmpty();
    assertThat(DeploymentFiles.read(DeploymentFiles.OPERATING)).contains("kubectl create secret generic")
        .contains(ref.path("name").asText());
  }

  /** Issue 19, item 1: the ConfigMap ships explicit, narrow lists, so what it deploys runs and allows little. */
  @Test
  void theConfigMapListsNarrowImagesTypesSubnetsAndGroupsSoRunStartsWithTheSecretsKey() {
    WorkerConfig withKey = DeploymentFiles.effectiveConfig(
        Optional.of(configMap.path("data").path("worker.conf").asText()),
        DeploymentFiles.plus(env, "LAUNCHER_TOKEN_KEY", DeploymentFiles.STAND_IN_TOKEN_KEY));

    io.launchworker.config.ConfigLoader.requireDecided(withKey);
    for (List<String> list : List.of(config.policy().allowedImageIds(), config.policy().allowedInstanceTypes(),
        config.policy().allowedSubnetIds(), config.policy().allowedSecurityGroupIds())) {
      assertThat(list).isNotEmpty().doesNotContain("*");
    }
  }

  @Test
  void probesAndScrapeAnnotationsUseTheAdminPortAndPathsTheWorkerServes() throws Exception {
    int admin = config.admin().port();
    JsonNode readiness = container.path("readinessProbe").path("httpGet");
    JsonNode liveness = container.path("livenessProbe").path("httpGet");
    Map<String, String> annotations = fields(deployment.path("spec").path("template").path("metadata")
        .path("annotations"));

    assertThat(containerPort(readiness.path("port"))).isEqualTo(admin);
    assertThat(containerPort(liveness.path("port"))).isEqualTo(admin);
    assertThat(readiness.path("path").asText()).isEqualTo("/health/ready");
    assertThat(liveness.path("path").asText()).isEqualTo("/health/live");
    assertThat(annotations).containsEntry("prometheus.io/port", Integer.toString(admin))
        .containsEntry("prometheus.io/path", "/metrics");
    try (AdminEndpoints endpoints = new AdminEndpoints()) {
      for (String path : List.of(readiness.path("path").asText(), liveness.path("path").asText(), "/metrics")) {
        assertThat(endpoints.status(path)).as(path).isEqualTo(200);
      }
    }
  }

  @Test
  void terminationGraceOutlastsTheShutdownGraceWhichOutlastsTheLongPoll() {
    long termination = podSpec.path("terminationGracePeriodSeconds").asLong();

    assertThat(config.shutdownGrace()).isGreaterThan(config.sqs().waitTime());
    assertThat(termination).isGreaterThanOrEqualTo(config.shutdownGrace().plus(DeploymentFiles.EXIT_MARGIN).toSeconds());
  }

  @Test
  void podsRunAsTheImagesNonRootUserWithNothingToEscalate() throws Exception {
    JsonNode pod = podSpec.path("securityContext");
    JsonNode own = container.path("securityContext");

    assertThat(pod.path("runAsNonRoot").asBoolean()).isTrue();
    assertThat(pod.path("runAsUser").asLong()).isEqualTo(DockerfileTest.runtimeUid());
    assertThat(own.path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
    assertThat(strings(own.path("capabilities").path("drop"))).contains("ALL");
    if (own.path("readOnlyRootFilesystem").asBoolean()) {
      assertThat(volumeMountOf("emptyDir", null, null).path("mountPath").asText()).isEqualTo("/tmp");
    }
  }

  @Test
  void workerListensOnThePodsInterfacesSoTheProbesAndPrometheusReachIt() {
    assertThat(config.admin().host()).isEqualTo("0.0.0.0");
    assertThat(env).containsEntry("LAUNCHER_ADMIN_HOST", "0.0.0.0");
  }

  @Test
  void onlyPrometheusAndTheNodesProbesMayConnectAndOnlyToTheAdminPort() {
    JsonNode policy = one("NetworkPolicy").path("spec");
    Map<String, String> podLabels = fields(deployment.path("spec").path("template").path("metadata").path("labels"));
    List<JsonNode> rules = list(policy.path("ingress"));

    assertThat(podLabels).containsAllEntriesOf(fields(policy.path("podSelector").path("matchLabels")));
    assertThat(policy.path("podSelector").path("matchLabels").size()).as("selects the worker, not every pod")
        .isPositive();
    assertThat(strings(policy.path("policyTypes"))).contains("Ingress");
    assertThat(rules).isNotEmpty().allSatisfy(rule -> {
      assertThat(list(rule.path("ports"))).as("a rule without ports admits every port").singleElement()
          .satisfies(port -> {
            assertThat(port.path("port").asInt()).isEqualTo(config.admin().port());
            assertThat(port.path("protocol").asText("TCP")).isEqualTo("TCP");
          });
      assertThat(list(rule.path("from"))).as("a rule without peers admits everyone").isNotEmpty()
          .allSatisfy(KubernetesManifestsTest::isPrometheusOrTheNodes);
    });
    List<JsonNode> peers = rules.stream().flatMap(r -> list(r.path("from")).stream()).toList();
    assertThat(peers).anySatisfy(peer -> assertThat(peer.has("namespaceSelector") && peer.has("podSelector")).isTrue());
    assertThat(peers).anySatisfy(peer -> assertThat(peer.has("ipBlock")).isTrue());
  }

  /** A peer of the policy: Prometheus's pods in its namespace (both selectors, one peer), or nodes by address. */
  private static void isPrometheusOrTheNodes(JsonNode peer) {
    if (peer.has("ipBlock")) {
      String cidr = peer.path("ipBlock").path("cidr").asText();
      assertThat(cidr).as("the nodes' range, not the world").isNotIn("0.0.0.0/0", "::/0");
      assertThat(Integer.parseInt(cidr.substring(cidr.indexOf('/') + 1))).isGreaterThanOrEqualTo(8);
      return;
    }
    assertThat(peer.path("namespaceSelector").path("matchLabels").size()).as("one namespace: " + peer).isPositive();
    assertThat(peer.path("podSelector").path("matchLabels").size()).as("Prometheus's pods only: " + peer)
        .isPositive();
  }

  @Test
  void podsCarryNoKubernetesApiTokenSinceIrsaMountsItsOwn() {
    JsonNode account = one("ServiceAccount");

    assertThat(podSpec.path("automountServiceAccountToken").isBoolean()).isTrue();
    assertThat(podSpec.path("automountServiceAccountToken").asBoolean()).isFalse();
    assertThat(account.path("automountServiceAccountToken").isBoolean()).isTrue();
    assertThat(account.path("automountServiceAccountToken").asBoolean()).isFalse();
    assertThat(account.path("metadata").path("annotations").has("eks.amazonaws.com/role-arn")).isTrue();
  }

  @Test
  void containerRequestsResourcesAndLimitsMemorySoTheHeapCanBeSizedFromIt() {
    JsonNode resources = container.path("resources");

    assertThat(resources.path("requests").has("cpu")).isTrue();
    assertThat(resources.path("requests").has("memory")).isTrue();
    assertThat(resources.path("limits").path("memory").asText()).isNotBlank();
  }

  /**
   * Issue 20, item 6: the limit holds the measured peak with room to spare, the heap the image sizes from it leaves
   * room for everything that is not heap (else a heap grown to its bound gets the container killed by the kernel,
   * not ended by ExitOnOutOfMemoryError), and the request is what a busy worker typically holds, not the limit.
   */
  @Test
  void memoryLimitHoldsTheMeasuredPeakAndLeavesTheNonHeapRoomBesideAFullHeap() throws Exception {
    long limit = mebibytes(container.path("resources").path("limits").path("memory").asText());
    long request = mebibytes(container.path("resources").path("requests").path("memory").asText());
    long heap = (long) (limit * DockerfileTest.maxRamPercentage() / 100);

    assertThat(limit).as("a quarter over the measured peak").isGreaterThanOrEqualTo(MEASURED_PEAK_RSS_MIB * 5 / 4);
    assertThat(limit - heap).as("beside a full heap, half again what the rest measured")
        .isGreaterThanOrEqualTo(MEASURED_NON_HEAP_MIB * 3 / 2);
    assertThat(request).as("near the typical busy worker").isBetween(MEASURED_TYPICAL_RSS_MIB,
        MEASURED_TYPICAL_RSS_MIB * 5 / 4);
    assertThat(request).isLessThanOrEqualTo(limit);
  }

  @Test
  void podsUseTheServiceAccountThatCarriesTheIrsaRole() {
    JsonNode account = one("ServiceAccount");

    assertThat(podSpec.path("serviceAccountName").asText()).isEqualTo(account.path("metadata").path("name").asText());
    assertThat(account.path("metadata").path("annotations").path("eks.amazonaws.com/role-arn").asText())
        .startsWith("arn:aws:iam::");
  }

  @Test
  void kedaScalesTheDeploymentOnTheConfiguredQueue() {
    JsonNode trigger = scaledObject.path("spec").path("triggers").get(0);
    JsonNode metadata = trigger.path("metadata");
    String queueUrl = metadata.has("queueURL") ? metadata.path("queueURL").asText()
        : env.get(metadata.path("queueURLFromEnv").asText());

    assertThat(scaledObject.path("spec").path("scaleTargetRef").path("name").asText())
        .isEqualTo(deployment.path("metadata").path("name").asText());
    assertThat(trigger.path("type").asText()).isEqualTo("aws-sqs-queue");
    assertThat(queueUrl).isEqualTo(config.queueUrl());
    if (metadata.has("queueURLFromEnv")) {
      assertThat(EnvOverrides.VARIABLES).containsEntry(metadata.path("queueURLFromEnv").asText(), "launcher.queue-url");
    }
    assertThat(metadata.path("awsRegion").asText()).isEqualTo(env.get("AWS_REGION"));
    assertThat(documents).anyMatch(d -> d.path("kind").asText().equals("TriggerAuthentication")
        && d.path("metadata").path("name").asText().equals(trigger.path("authenticationRef").path("name").asText()));
  }

  @Test
  void kedaOwnsTheReplicaCountSoTheDeploymentSetsNone() {
    assertThat(scaledObject.path("spec").path("scaleTargetRef").path("name").asText())
        .isEqualTo(deployment.path("metadata").path("name").asText());
    assertThat(deployment.path("spec").has("replicas"))
        .as("spec.replicas would reset KEDA's count on every kubectl apply").isFalse();
  }

  @Test
  void kedaTargetsOneReplicaPerMaxInFlightMessages() {
    JsonNode metadata = scaledObject.path("spec").path("triggers").get(0).path("metadata");

    assertThat(Integer.parseInt(metadata.path("queueLength").asText())).isEqualTo(config.maxInFlight());
    assertThat(metadata.path("scaleOnInFlight").asText("true")).isEqualTo("true");
  }

  /**
   * Issue 21, item 1: every replica gets the account's whole EC2 limits as its ceiling and finds its share below it
   * from EC2's throttles; a ceiling above the account's would let a lone replica be throttled, one below it would
   * leave the account's budget unused when one replica runs.
   */
  @Test
  void everyReplicasCeilingIsTheAccountsEc2LimitWhateverTheReplicaCount() {
    WorkerConfig.Ec2Limits ceiling = config.ec2();

    assertThat(ceiling.runInstancesPerSecond()).isEqualTo(RUN_INSTANCES_REFILL_PER_SECOND);
    assertThat(ceiling.runInstancesBurst()).isEqualTo(RUN_INSTANCES_BURST);
    assertThat(ceiling.describePerSecond()).isEqualTo(DESCRIBE_REFILL_PER_SECOND);
    assertThat(ceiling.describeBurst()).isEqualTo(DESCRIBE_BURST);
  }

  /** Issue 20, item 6: a rollout replaces one pod at a time and never runs one more than KEDA's count. */
  @Test
  void rolloutStopsAnOldPodBeforeStartingItsReplacement() {
    JsonNode strategy = deployment.path("spec").path("strategy");

    assertThat(strategy.path("type").asText()).isEqualTo("RollingUpdate");
    assertThat(surge()).as("a surge pod is one more newcomer taking its share from the others").isZero();
    assertThat(strategy.path("rollingUpdate").path("maxUnavailable").asText()).isEqualTo("1");
  }

  /**
   * Issue 20, item 6: during an account pause every worker is running but not ready on purpose; with the default
   * policy (IfHealthyBudget) no not-ready pod may be evicted while fewer are ready than the budget wants, so every
   * node drain would hang until the account is fixed.
   */
  @Test
  void drainsEvictWorkersThatAreNotReadyAsDuringAnAccountPause() {
    JsonNode budget = one("PodDisruptionBudget").path("spec");

    assertThat(budget.path("unhealthyPodEvictionPolicy").asText()).isEqualTo("AlwaysAllow");
  }

  @Test
  void disruptionBudgetCoversTheWorkerPodsAndStillLetsANodeDrain() {
    JsonNode budget = one("PodDisruptionBudget").path("spec");
    Map<String, String> podLabels = fields(deployment.path("spec").path("template").path("metadata").path("labels"));

    assertThat(podLabels).containsAllEntriesOf(fields(budget.path("selector").path("matchLabels")));
    assertThat(budget.has("minAvailable")).as("minAvailable would block draining the last replica").isFalse();
    assertThat(budget.path("maxUnavailable").asInt()).isPositive();
  }

  /**
   * The pods a rollout may start above the replica count: {@code maxSurge} as a number, or a percentage of the
   * most replicas KEDA runs, rounded up as Kubernetes does; 25 % when left out (Kubernetes' default).
   */
  private int surge() {
    JsonNode strategy = deployment.path("spec").path("strategy");
    if (strategy.path("type").asText("RollingUpdate").equals("Recreate")) {
      return 0;
    }
    JsonNode surge = strategy.path("rollingUpdate").path("maxSurge");
    String value = surge.isMissingNode() ? "25%" : surge.asText();
    if (value.endsWith("%")) {
      int replicas = scaledObject.path("spec").path("maxReplicaCount").asInt();
      return (int) Math.ceil(replicas * Integer.parseInt(value.substring(0, value.length() - 1)) / 100.0);
    }
    return Integer.parseInt(value);
  }

  private JsonNode one(String kind) {
    List<JsonNode> found = documents.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
    assertThat(found).as("one " + kind + " in docker/k8s").hasSize(1);
    return found.get(0);
  }

  /** The container port a probe's port (a number or the name of a container port) stands for. */
  private int containerPort(JsonNode port) {
    if (port.isInt()) {
      return port.asInt();
    }
    for (JsonNode p : container.path("ports")) {
      if (p.path("name").asText().equals(port.asText())) {
        return p.path("containerPort").asInt();
      }
    }
    throw new AssertionError("no container port named " + port.asText());
  }

  /** The container's mount of the pod volume of a type (and, when given, with {@code field = value}). */
  private JsonNode volumeMountOf(String type, String field, String value) {
    for (JsonNode volume : podSpec.path("volumes")) {
      if (volume.has(type) && (field == null || volume.path(type).path(field).asText().equals(value))) {
        for (JsonNode mount : container.path("volumeMounts")) {
          if (mount.path("name").asText().equals(volume.path("name").asText())) {
            return mount;
          }
        }
      }
    }
    throw new AssertionError("no mounted " + type + " volume" + (field == null ? "" : " with " + field + " " + value));
  }

  /** The container's literal variables; those taken from a Secret ({@code valueFrom}) are left out. */
  private static Map<String, String> env(JsonNode container) {
    Map<String, String> env = new LinkedHashMap<>();
    container.path("env").forEach(e -> {
      if (e.has("value")) {
        env.put(e.path("name").asText(), e.path("value").asText());
      }
    });
    return env;
  }

  /** The container's variable of this name, literal or from a Secret. */
  private JsonNode variable(String name) {
    for (JsonNode e : container.path("env")) {
      if (e.path("name").asText().equals(name)) {
        return e;
      }
    }
    throw new AssertionError("no variable " + name + " in the Deployment");
  }

  /** A Kubernetes memory quantity ({@code 512Mi}, {@code 1Gi}, {@code 500M}, bytes) in whole MiB, rounded down. */
  static long mebibytes(String quantity) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(Ki|Mi|Gi|k|M|G)?").matcher(quantity);
    assertThat(m.matches()).as("a memory quantity: " + quantity).isTrue();
    long n = Long.parseLong(m.group(1));
    long bytes = switch (m.group(2) == null ? "" : m.group(2)) {
      case "Ki" -> n << 10;
      case "Mi" -> n << 20;
      case "Gi" -> n << 30;
      case "k" -> n * 1_000;
      case "M" -> n * 1_000_000;
      case "G" -> n * 1_000_000_000;
      default -> n;
    };
    return bytes >> 20;
  }

  private static List<JsonNode> list(JsonNode array) {
    return java.util.stream.StreamSupport.stream(array.spliterator(), false).toList();
  }

  private static List<String> strings(JsonNode array) {
    return java.util.stream.StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
  }

  private static Map<String, String> fields(JsonNode object) {
    Map<String, String> map = new LinkedHashMap<>();
    object.properties().forEach(e -> map.put(e.getKey(), e.getValue().asText()));
    return map;
  }
}
