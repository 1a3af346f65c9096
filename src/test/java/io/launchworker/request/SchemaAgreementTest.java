package io.launchworker.request;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiPredicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shipped JSON Schema and the worker's validator must give every example the same verdict, except where
 * JSON Schema cannot say what the worker checks: those gaps are listed in {@link #KNOWN_GAPS}, each with its
 * reason, and each must still be shown by at least one example (a gap nobody needs any more fails the build).
 *
 * <p>Policy (allow-lists, the per-request instance cap) depends on configuration and is outside the schema's
 * scope, so the worker runs here with a policy that allows everything.
 */
class SchemaAgreementTest {
  private static final Path EXAMPLES = Paths.get("src/test/resources/requests");
  /** Filled in later by the hostile-input corpus; agreement is required there too. */
  private static final Path HOSTILE = Paths.get("src/test/resources/hostile");
  private static final Set<RejectReason> POLICY = EnumSet.of(RejectReason.LAUNCH_TEMPLATE_NOT_ALLOWED,
      RejectReason.IMAGE_NOT_ALLOWED, RejectReason.INSTANCE_TYPE_REQUIRED, RejectReason.INSTANCE_TYPE_NOT_ALLOWED,
      RejectReason.SUBNET_REQUIRED, RejectReason.SUBNET_NOT_ALLOWED, RejectReason.SECURITY_GROUP_REQUIRED,
      RejectReason.SECURITY_GROUP_NOT_ALLOWED, RejectReason.KEY_NAME_NOT_ALLOWED,
      RejectReason.INSTANCE_PROFILE_NOT_ALLOWED, RejectReason.TOO_MANY_INSTANCES, RejectReason.MARKET_NOT_ALLOWED,
      RejectReason.ROOT_VOLUME_TOO_LARGE, RejectReason.TOO_MANY_SHAPES, RejectReason.UNENCRYPTED_VOLUME,
      RejectReason.ENFORCED_TAG, RejectReason.TAG_KEY_NOT_ALLOWED,
      // Decided after DescribeImages, by the launch stage: no body alone shows it.
      RejectReason.ROOT_DEVICE_MISMATCH);

  /** Worker rejects, schema accepts: the rules JSON Schema has no words for. Keyed by the worker's reason. */
  static final Map<String, KnownGap> KNOWN_GAPS = Map.of(
      "duplicate_field", new KnownGap(
          "JSON Schema sees the parsed value, in which a repeated key has already replaced the first one",
          (body, message) -> true),
      "body_too_large", new KnownGap(
          "the size of the serialized text is a transport limit (SQS's 256 KiB), not a property of the value",
          (body, message) -> true),
      "count_order", new KnownGap(
          "JSON Schema cannot compare two numbers of one instance (maxCount >= minCount); it does catch a "
              + "minCount above the default maxCount of 1",
          (body, message) -> body.contains("\"maxCount\"")),
      "wrong_type", new KnownGap(
          "JSON Schema counts 1.0 and 2e0 as integers; the worker wants integer literals",
          (body, message) -> message.matches("(minCount|maxCount): expected an integer, got number -?[0-9]+\\.0")));

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final Schema SCHEMA = loadSchema();
  /**
   * The worker's reader with policy out of the way: every list "*", any launch template, no practical cap,
   * unencrypted volumes allowed.
   */
  private static final RequestReader WORKER =
      new RequestReader(new LaunchPolicy(List.of("*"), List.of("*"), List.of("*"), Integer.MAX_VALUE,
          Integer.MAX_VALUE).withAllowedLaunchTemplates(List.of("*")).withMaxShapes(LaunchShape.MOST_PER_REQUEST)
          .withRequireEncryptedVolumes(false));

  record Example(String name, Path file, Optional<Boolean> expectValid) {
    String body() {
      try {
        return Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public String toString() {
      return name;
    }
  }

  record KnownGap(String why, BiPredicate<String, String> applies) {}

  static Stream<Example> examples() throws IOException {
    List<Example> all = new ArrayList<>();
    all.addAll(folder(EXAMPLES.resolve("valid"), Optional.of(true)));
    all.addAll(folder(EXAMPLES.resolve("invalid"), Optional.of(false)));
    if (Files.isDirectory(HOSTILE)) {
      all.addAll(folder(HOSTILE, Optional.empty()));
    }
    return all.stream();
  }

  private static List<Example> folder(Path dir, Optional<Boolean> expectValid) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).sorted()
          .map(f -> new Example(EXAMPLES.getParent().relativize(f).toString(), f, expectValid))
          .collect(Collectors.toList());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void schemaAndWorkerGiveTheSameVerdict(Example example) {
    String body = example.body();
    ReadResult worker = WORKER.read(body);
    List<String> schemaErrors = schemaErrors(body);

    boolean workerAccepts = worker instanceof ReadResult.Accepted;
    boolean schemaAccepts = schemaErrors.isEmpty();
    if (workerAccepts == schemaAccepts) {
      return;
    }
    Optional<Rejection> rejection = rejection(worker);
    Optional<KnownGap> gap = rejection.map(r -> KNOWN_GAPS.get(r.reason()))
        .filter(g -> g.applies().test(body, rejection.get().message()));
    assertThat(gap)
        .as("%s: worker %s, schema %s", example,
            rejection.map(r -> "rejects (" + r.reason() + ": " + r.message() + ")").orElse("accepts"),
            schemaAccepts ? "accepts" : "rejects " + schemaErrors)
        .isPresent();
    assertThat(schemaAccepts).as("a known gap only ever lets the schema accept more").isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void everyExampleIsWhatItsFolderAndNameSay(Example example) {
    if (example.expectValid().isEmpty()) {
      return;
    }
    ReadResult worker = WORKER.read(example.body());
    if (example.expectValid().get()) {
      assertThat(worker).as(example.name()).isInstanceOf(ReadResult.Accepted.class);
    } else {
      String expectedReason = example.file().getFileName().toString().split("--")[0];
      assertThat(rejection(worker)).as(example.name()).hasValueSatisfying(
          r -> assertThat(r.reason()).isEqualTo(expectedReason));
    }
  }

  @Test
  void everyNonPolicyRejectReasonHasAnInvalidExample() throws IOException {
    Set<String> covered = folder(EXAMPLES.resolve("invalid"), Optional.of(false)).stream()
        .map(e -> e.file().getFileName().toString().split("--")[0]).collect(Collectors.toCollection(TreeSet::new));
    Set<String> needed = EnumSet.complementOf(EnumSet.copyOf(POLICY)).stream().map(RejectReason::code)
        .collect(Collectors.toCollection(TreeSet::new));
    assertThat(covered).containsAll(needed);
  }

  @Test
  void thereAreAtLeast15ValidAnd40InvalidExamples() throws IOException {
    assertThat(folder(EXAMPLES.resolve("valid"), Optional.of(true))).hasSizeGreaterThanOrEqualTo(15);
    assertThat(folder(EXAMPLES.resolve("invalid"), Optional.of(false))).hasSizeGreaterThanOrEqualTo(40);
  }

  @Test
  void everyKnownGapIsStillShownByAnExample() throws IOException {
    Set<String> shown = new TreeSet<>();
    for (Example example : examples().collect(Collectors.toList())) {
      String body = example.body();
      Optional<Rejection> rejection = rejection(WORKER.read(body));
      if (rejection.isPresent() && schemaErrors(body).isEmpty()) {
        shown.add(rejection.get().reason());
      }
    }
    assertThat(shown).as("gaps the examples show").isEqualTo(KNOWN_GAPS.keySet().stream()
        .collect(Collectors.toCollection(TreeSet::new)));
  }

  @Test
  void theSchemaShipsInTheJarAsAClassPathResource() {
    assertThat(SchemaAgreementTest.class.getClassLoader().getResource("launch-request.schema.json")).isNotNull();
  }

  private static Optional<Rejection> rejection(ReadResult result) {
    return result instanceof ReadResult.Rejected rejected ? Optional.of(rejected.rejection()) : Optional.empty();
  }

  /** What a producer's tool sees: standard JSON parsing first (a body that is not JSON fails here), then the schema. */
  private static List<String> schemaErrors(String body) {
    JsonNode node;
    try {
      node = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      return List.of("not JSON: " + e.getOriginalMessage());
    }
    if (node == null || node.isMissingNode()) {
      return List.of("no JSON value");
    }
    return SCHEMA.validate(node).stream().map(Error::toString).collect(Collectors.toList());
  }

  private static Schema loadSchema() {
    try (InputStream in = SchemaAgreementTest.class.getClassLoader()
        .getResourceAsStream("launch-request.schema.json")) {
      return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
