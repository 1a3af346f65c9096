package io.launchworker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.e2e.SandboxHarness.RunningWorker;
import io.launchworker.request.LaunchDefaults;
import io.launchworker.request.LaunchPolicy;
import io.launchworker.request.ReadResult;
import io.launchworker.request.RequestReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The hostile corpus in {@code src/test/resources/hostile/}: every body is rejected with its own reason, lands
 * in the DLQ byte for byte, launches nothing, and the worker keeps serving.
 */
class HostileInputTest {
  private static final List<String> ALLOWED_TYPES = List.of("t3.*");
  private static final List<String> ALLOWED_IMAGES = List.of(SandboxHarness.AMI);
  private static final List<String> ALLOWED_SUBNETS = List.of("subnet-0123456789abcdef0");
  /** Bodies without a subnet get this one, so they meet the check they are about; no default instance type. */
  private static final String DEFAULT_SUBNET = "subnet-0123456789abcdef0";

  record Hostile(String file, String reason, String what, String body) {
    @Override
    public String toString() {
      return file + " -> " + reason;
    }
  }

  private SandboxHarness harness;

  @AfterEach
  void stop() {
    if (harness != null) {
      harness.close();
    }
  }

  static List<Hostile> corpus() {
    try {
      Path dir = corpusDir();
      return Files.readAllLines(dir.resolve("index.tsv")).stream()
          .filter(line -> !line.startsWith("#") && !line.isBlank())
          .map(line -> line.split("\t"))
          .map(f -> new Hostile(f[0], f[1], f[2], read(dir.resolve(f[0]))))
          .toList();
    } catch (IOException e) {
      throw new IllegalStateException("hostile corpus unreadable", e);
    }
  }

  private static Path corpusDir() {
    try {
      return Paths.get(HostileInputTest.class.getResource("/hostile/index.tsv").toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException("hostile corpus not on the class path", e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void theCorpusHasAtLeastFortyBodiesWithDistinctNames() {
    assertThat(corpus()).hasSizeGreaterThanOrEqualTo(40).extracting(Hostile::file).doesNotHaveDuplicates();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void theValidatorGivesEachBodyItsReason(Hostile hostile) {
    RequestReader reader = new RequestReader(new LaunchPolicy(ALLOWED_IMAGES, ALLOWED_TYPES, ALLOWED_SUBNETS, 10,
        1000), new LaunchDefaults(Optional.empty(), Optional.of(DEFAULT_SUBNET), List.of(), Map.of()));

    ReadResult result = reader.read(hostile.body());

    assertThat(result).isInstanceOf(ReadResult.Rejected.class);
    assertThat(((ReadResult.Rejected) result).rejection().reason()).isEqualTo(hostile.reason());
  }

  @Test
  void everyHostileBodyIsDeadLetteredByteForByteWithItsReasonAndNothingLaunches() {
    harness = new SandboxHarness();
    RunningWorker worker = harness.startWorker(harness.config(o -> {
      o.put("launcher.policy.allowed-instance-types", ALLOWED_TYPES);
      o.put("launcher.policy.allowed-image-ids", ALLOWED_IMAGES);
      o.put("launcher.policy.allowed-subnet-ids", ALLOWED_SUBNETS);
      o.put("launcher.defaults.subnet-id", DEFAULT_SUBNET);
      return o;
    }));
    Map<String, Hostile> byMessageId = new LinkedHashMap<>();
    for (Hostile hostile : corpus()) {
      byMessageId.put(harness.send(hostile.body()), hostile);
    }

    harness.awaitDrained(Duration.ofSeconds(60));

    List<Message> dead = harness.drainDlq();
    assertThat(dead).hasSize(byMessageId.size());
    Map<String, Message> deadByOriginal = new HashMap<>();
    dead.forEach(m -> deadByOriginal.put(m.messageAttributes().get("launch-worker-original-message-id")
        .stringValue(), m));
    byMessageId.forEach((id, hostile) -> {
      Message m = deadByOriginal.get(id);
      assertThat(m).as(hostile.file()).isNotNull();
      assertThat(m.messageAttributes().get("launch-worker-reason").stringValue()).as(hostile.file())
          .isEqualTo(hostile.reason());
      assertThat(m.body().getBytes(StandardCharsets.UTF_8)).as(hostile.file())
          .isEqualTo(hostile.body().getBytes(StandardCharsets.UTF_8));
      if (hostile.body().length() < 200_000) { // a body past 256 KiB leaves no room for it in a default-size DLQ
        assertThat(m.messageAttributes()).as(hostile.file()).containsKey("launch-worker-detail");
      }
    });
    assertThat(harness.ec2().stats().instancesLaunched()).isZero();
    assertThat(harness.ec2().stats().calls("RunInstances")).isZero();
    Map<String, Long> expectedByReason = byMessageId.values().stream()
        .collect(Collectors.groupingBy(Hostile::reason, Collectors.counting()));
    expectedByReason.forEach((reason, n) -> assertThat(worker.outcomes("rejected", reason)).as(reason).isEqualTo(n));

    String good = harness.send(SandboxHarness.request("t3.micro"));
    harness.awaitDrained(Duration.ofSeconds(10));
    assertThat(harness.instancesByToken()).containsOnlyKeys(good);
  }

  /**
   * Regression: the JSON escape of U+FFFF decodes to a character SQS refuses in an attribute; quoting it in
   * the DLQ detail made every DLQ send fail, and the message came back as {@code settle_failed} forever.
   */
  @Test
  void aRejectionQuotingACharacterSqsRefusesIsDeadLetteredOnceWithTheCharacterEscaped() {
    harness = new SandboxHarness();
    RunningWorker worker = harness.startWorker();
    String body = read(corpusDir().resolve("49-instance-type-uffff.json"));
    String id = harness.send(body);

    harness.awaitDrained(Duration.ofSeconds(10));

    List<Message> dead = harness.drainDlq();
    assertThat(dead).hasSize(1);
    Message m = dead.get(0);
    assertThat(m.body()).isEqualTo(body);
    assertThat(m.messageAttributes().get("launch-worker-original-message-id").stringValue()).isEqualTo(id);
    assertThat(m.messageAttributes().get("launch-worker-reason").stringValue()).isEqualTo("invalid_value");
    assertThat(m.messageAttributes().get("launch-worker-detail").stringValue()).contains("\\uFFFF");
    assertThat(worker.outcomes("retry", "settle_failed")).isZero();
    assertThat(worker.outcomes("rejected", "invalid_value")).isEqualTo(1);
    assertThat(harness.ec2().stats().calls("RunInstances")).isZero();
  }
}
