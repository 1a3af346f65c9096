package io.launchworker.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import io.launchworker.request.LaunchDefaults;
import io.launchworker.request.LaunchPolicy;
import io.launchworker.request.LaunchShape;
import io.launchworker.request.Market;
import io.launchworker.request.RootVolume;
import io.launchworker.request.LaunchTags;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds a {@link WorkerConfig} from, lowest precedence first: the defaults packed in the jar
 * ({@code config/worker.conf}), an optional file, the environment variables of {@link EnvOverrides}, and
 * explicit overrides (used by the sandbox). Rejects unknown keys and bad values with a
 * {@link ConfigException} naming key, value, source and what is allowed. Stateless and thread-safe.
 */
public final class ConfigLoader {
  private static final String DEFAULTS_RESOURCE = "io/launchworker/config/worker.conf";
  private static final String ENFORCED_TAGS = "launcher.tags.enforced";
  /** Keys whose children are free-form (user tag names), so not checked against the defaults. */
  private static final Set<String> FREE_FORM = Set.of("launcher.defaults.tags", ENFORCED_TAGS);
  /** {@code launcher.token-key = none}: the token attribute is honoured unsigned, on purpose. */
  public static final String UNSIGNED_TOKEN_KEY = "none";
  /** 256 bits, as many as HMAC-SHA256 gives: what {@code openssl rand -base64 32} prints. */
  static final int MIN_TOKEN_KEY_BYTES = 32;
  /** Unknown keys named in full in the one-line error; a file with more is probably not this program's. */
  private static final int UNKNOWN_KEYS_SHOWN = 5;

  private ConfigLoader() {}

  /** Loads with the process environment. */
  public static WorkerConfig load(Optional<Path> file) {
    return load(file, System.getenv(), Map.of());
  }

  public static WorkerConfig load(Optional<Path> file, Map<String, String> env, Map<String, Object> overrides) {
    return bind(merged(file, env, overrides));
  }

  /** The merged, resolved configuration tree, before binding (for {@code check-config}). */
  public static Config merged(Optional<Path> file, Map<String, String> env, Map<String, Object> overrides) {
    Config defaults = ConfigFactory.parseResources(ConfigLoader.class.getClassLoader(), DEFAULTS_RESOURCE,
        ConfigParseOptions.defaults().setAllowMissing(false));
    Config merged = defaults;
    if (file.isPresent()) {
      Config fromFile = parseFile(file.get());
      rejectUnknownKeys(fromFile, defaults);
      merged = fromFile.withFallback(merged);
    }
    for (Map.Entry<String, String> variable : EnvOverrides.VARIABLES.entrySet()) {
      String value = env.get(variable.getKey());
      if (value != null) {
        String origin = "environment variable " + variable.getKey();
        merged = merged.withValue(variable.getValue(), defaults.getValue(variable.getValue()).valueType()
            == ConfigValueType.LIST ? ConfigValueFactory.fromIterable(commaSeparated(value), origin)
            : ConfigValueFactory.fromAnyRef(value, origin));
      }
    }
    for (Map.Entry<String, Object> override : overrides.entrySet()) {
      merged = merged.withValue(override.getKey(), ConfigValueFactory.fromAnyRef(override.getValue(), "override"));
    }
    try {
      return merged.resolve();
    } catch (com.typesafe.config.ConfigException e) {
      throw new ConfigException("configuration: " + e.getMessage(), e);
    }
  }

  /**
   * Where one key's effective value came from: {@code environment variable LAUNCHER_ADMIN_PORT}, {@code my.conf: 3},
   * {@code built-in default}, for messages about a value that is valid but does not work (a port in use).
   */
  public static String origin(Optional<Path> file, Map<String, String> env, Map<String, Object> overrides,
      String key) {
    return new ConfigReader(merged(file, env, overrides)).origin(key);
  }

  /** An environment variable's list: comma-separated, blanks around the commas dropped; "" is the empty list. */
  private static List<String> commaSeparated(String value) {
    return Arrays.stream(value.split(",")).map(String::trim).filter(v -> !v.isEmpty()).toList();
  }

  private static Config parseFile(Path path) {
    if (!Files.isRegularFile(path)) {
      throw new ConfigException("--config " + path + ": no such file");
    }
    try {
      return ConfigFactory.parseFile(path.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
    } catch (com.typesafe.config.ConfigException e) {
      throw new ConfigException("--config " + path + ": " + e.getMessage(), e);
    }
  }

  /** Each unknown key with where it is and, when one is close, the key that was probably meant. */
  private static void rejectUnknownKeys(Config fromFile, Config defaults) {
    List<String> known = new ArrayList<>(defaults.entrySet().stream().map(Map.Entry::getKey).toList());
    known.addAll(FREE_FORM);
    Map<String, ConfigValue> unknown = new TreeMap<>();
    for (Map.Entry<String, ConfigValue> entry : fromFile.entrySet()) {
      String key = entry.getKey();
      if (FREE_FORM.stream().noneMatch(f -> key.startsWith(f + ".")) && !defaults.hasPathOrNull(key)) {
        unknown.put(key, entry.getValue());
      }
    }
    if (unknown.isEmpty()) {
      return;
    }
    List<String> shown = unknown.entrySet().stream().limit(UNKNOWN_KEYS_SHOWN)
        .map(e -> e.getKey() + " (" + e.getValue().origin().description()
            + KeySuggestions.closest(e.getKey(), known).map(k -> "; did you mean " + k + "?").orElse("") + ")")
        .toList();
    String more = unknown.size() > shown.size() ? " and " + (unknown.size() - shown.size()) + " more" : "";
    throw new ConfigException("unknown configuration key" + (unknown.size() > 1 ? "s " : " ")
        + String.join(", ", shown) + more + "; allowed keys are documented in config/worker.conf");
  }

  private static WorkerConfig bind(Config c) {
    ConfigReader r = new ConfigReader(c);
    String queueUrl = r.requiredUrl("launcher.queue-url");
    String dlqUrl = r.requiredUrl("launcher.dlq-url");
    Optional<String> resultsUrl = r.optionalUrl("launcher.results-queue-url");
    int maxInFlight = r.intIn("launcher.max-in-flight", 1, 10_000);
    int maxAttempts = r.intIn("launcher.max-attempts", 1, 1_000);
    WorkerConfig.Sqs sqs = new WorkerConfig.Sqs(
        r.durationIn("launcher.sqs.wait-time", "0s", "20s"),
        r.durationIn("launcher.sqs.visibility-timeout", "1s", "12h"),
        r.fraction("launcher.sqs.extend-when-remaining"),
        r.durationIn("launcher.sqs.delete-flush-interval", "1ms", "10s"),
        r.durationIn("launcher.sqs.receive-error-backoff", "1ms", "5m"),
        r.durationIn("launcher.sqs.receive-error-backoff-max", "1ms", "1h"));
    WorkerConfig.Retry retry = new WorkerConfig.Retry(
        r.durationIn("launcher.retry.base-delay", "0s", "12h"),
        r.durationIn("launcher.retry.max-delay", "0s", "12h"),
        r.durationIn("launcher.retry.capacity-delay", "0s", "12h"),
        r.durationIn("launcher.retry.quota-delay", "0s", "12h"),
        r.durationIn("launcher.retry.account-fault-delay", "1s", "12h"),
        r.durationIn("launcher.retry.consistency-window", "0s", "1h"));
    WorkerConfig.Ec2Limits ec2 = new WorkerConfig.Ec2Limits(
        r.intIn("launcher.ec2.run-instances-burst", 1, 1_000_000),
        r.positive("launcher.ec2.run-instances-per-second", 1_000_000),
        r.intIn("launcher.ec2.describe-burst", 1, 1_000_000),
        r.positive("launcher.ec2.describe-per-second", 1_000_000),
        r.oneOf("launcher.ec2.adaptive", List.of("true", "false")).equals("true"));
    WorkerConfig.Aws aws = new WorkerConfig.Aws(
        r.optionalString("launcher.aws.region"),
        r.optionalUri("launcher.aws.sqs-endpoint"),
        r.optionalUri("launcher.aws.ec2-endpoint"),
        r.optionalUri("launcher.aws.cloudwatch-endpoint"));
    WorkerConfig.Admin admin = new WorkerConfig.Admin(
        r.intIn("launcher.admin.port", -1, 65_535), r.nonEmptyString("launcher.admin.host"),
        r.hostNames("launcher.admin.allowed-hosts"));
    LaunchPolicy policy = policy(r);
    LaunchDefaults defaults = defaults(r);
    refuseDefaultsThePolicyRefuses(r, policy, defaults);
    return new WorkerConfig(queueUrl, dlqUrl, resultsUrl, maxInFlight, maxAttempts,
        r.durationIn("launcher.max-request-age", "0s", "14d"), sqs, retry, ec2, shutdownGrace(r, sqs.waitTime()),
        aws, admin, policy, defaults, metrics(r), tokenKeys(r));
  }

  /**
   * The grace must outlast a long poll: at shutdown the receive in progress runs up to {@code wait-time}, and the
   * messages it brings must still be released within the grace, not left hidden for a visibility timeout.
   */
  private static Duration shutdownGrace(ConfigReader r, Duration waitTime) {
    Duration grace = r.durationIn("launcher.shutdown.grace", "0s", "1h");
    if (grace.compareTo(waitTime) <= 0) {
      throw r.invalid("launcher.shutdown.grace", "must be above " + r.describe("launcher.sqs.wait-time")
          + ", since a long poll in progress at shutdown lasts up to the wait time; raise the grace or lower the "
          + "wait time");
    }
    return grace;
  }

  /** What each token key must be, for every message about one. */
  private static final String TOKEN_KEY_RULE = "allowed: at least " + MIN_TOKEN_KEY_BYTES + " random bytes, base64 "
      + "(standard or URL-safe alphabet), as `openssl rand -base64 " + MIN_TOKEN_KEY_BYTES + "` prints them";

  /**
   * {@code launcher.token-key} and its predecessor. {@value #UNSIGNED_TOKEN_KEY} is an explicit "no key"; a key that
   * was set but is blank (an empty Secret, a stray space) is an error rather than "unset", since the operator meant to
   * set one; the built-in "" is unset, which {@link #requireDecided} refuses. A key is the base64 text of at least
   * {@value #MIN_TOKEN_KEY_BYTES} random bytes; the HMAC is keyed with that text, so signatures made with a key before
   * this rule still verify. Values never appear in an error.
   */
  private static WorkerConfig.TokenKeys tokenKeys(ConfigReader r) {
    String currentKey = "launcher.token-key";
    String previousKey = "launcher.token-key-previous";
    String current = r.untrimmed(currentKey);
    boolean unset = current.isEmpty() && r.isBuiltInDefault(currentKey);
    if (!unset && current.isBlank()) {
      throw blank(r, currentKey, current, "so the key meant to be set is missing (an empty Secret or variable?); "
          + TOKEN_KEY_RULE + ", or \"" + UNSIGNED_TOKEN_KEY + "\" to honour the token attribute unsigned");
    }
    boolean unsigned = current.trim().equals(UNSIGNED_TOKEN_KEY);
    String previous = r.untrimmed(previousKey);
    if (!previous.isEmpty() && previous.isBlank()) {
      throw blank(r, previousKey, previous, TOKEN_KEY_RULE + ", or \"\" for none");
    }
    Optional<String> currentValue = unset || unsigned ? Optional.empty() : Optional.of(tokenKey(r, currentKey));
    Optional<String> previousValue = previous.isEmpty() ? Optional.empty() : Optional.of(tokenKey(r, previousKey));
    if (previousValue.isPresent() && currentValue.isEmpty()) {
      throw new ConfigException(previousKey + " is set but " + currentKey + " is "
          + (unsigned ? "\"" + UNSIGNED_TOKEN_KEY + "\"" : "not") + ": set the new key as " + currentKey
          + " and the old one as " + previousKey);
    }
    if (unsigned) {
      return WorkerConfig.TokenKeys.UNSIGNED;
    }
    return new WorkerConfig.TokenKeys(currentValue, previousValue, false);
  }

  /** A blank key, shown as blank (its line breaks and tabs escaped, so the error stays one line). */
  private static ConfigException blank(ConfigReader r, String key, String value, String rule) {
    String shown = value.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t");
    return new ConfigException(key + " = \"" + shown + "\" (from " + r.origin(key) + "): is blank, " + rule);
  }

  /** One key's text, checked to decode to enough bytes; the error names the key and where it was set, not its value. */
  private static String tokenKey(ConfigReader r, String key) {
    String value = r.untrimmed(key).trim();
    String where = key + " (from " + r.origin(key) + "): ";
    if (value.equals(UNSIGNED_TOKEN_KEY)) {
      throw new ConfigException(where + "\"" + UNSIGNED_TOKEN_KEY + "\" is only for launcher.token-key; "
          + TOKEN_KEY_RULE + ", or \"\" for none");
    }
    byte[] bytes = base64(value);
    if (bytes == null) {
      throw new ConfigException(where + "is not base64; " + TOKEN_KEY_RULE + "; the value is not shown");
    }
    if (bytes.length < MIN_TOKEN_KEY_BYTES) {
      throw new ConfigException(where + "decodes to " + bytes.length + " bytes; " + TOKEN_KEY_RULE
          + "; the value is not shown");
    }
    return value;
  }

  /** The bytes of standard or URL-safe base64 (padding optional), or null for text that is neither. */
  private static byte[] base64(String text) {
    for (java.util.Base64.Decoder decoder : List.of(java.util.Base64.getDecoder(), java.util.Base64.getUrlDecoder())) {
      try {
        return decoder.decode(text);
      } catch (IllegalArgumentException e) {
        // Not this alphabet: try the next.
      }
    }
    return null;
  }

  /**
   * What {@code run} needs decided beyond valid values, because the built-in defaults leave it open on purpose: the
   * images and instance types requests may use (empty lists allow nothing, so a worker without them would only reject)
   * and the token key (a key, or {@value #UNSIGNED_TOKEN_KEY}). Throws one {@link ConfigException} naming every key
   * still open, with its environment variable; {@code check-config} reports the same.
   */
  public static void requireDecided(WorkerConfig config) {
    List<String> open = undecided(config.policy().allowedImageIds().isEmpty(),
        config.policy().allowedInstanceTypes().isEmpty(), !config.tokenKeys().decided());
    if (!open.isEmpty()) {
      throw new ConfigException("run needs a decision the built-in defaults leave open: " + String.join(", ", open)
          + "; an empty allow-list allows nothing, see config/worker.conf");
    }
  }

  /**
   * Every problem {@code check-config} finds in one pass, each naming its key and environment variable: the queue
   * URLs not set, the first value {@code run} would refuse, and the decisions {@link #requireDecided} asks for.
   * Empty when {@code run} would accept the configuration. Throws {@link ConfigException} only when the
   * configuration cannot be read at all (a missing or unparsable file, an unknown key).
   */
  public static List<String> problems(Optional<Path> file, Map<String, String> env) {
    Config c = merged(file, env, Map.of());
    List<String> problems = new ArrayList<>();
    for (String key : List.of("launcher.queue-url", "launcher.dlq-url")) {
      if (c.getString(key).isBlank()) {
        problems.add(key + " is not set (" + variableOf(key) + ")");
        // A stand-in, so the values after it are checked in the same pass.
        c = c.withValue(key, ConfigValueFactory.fromAnyRef("https://sqs.invalid/000000000000/not-set"));
      }
    }
    boolean keyRefused = false;
    try {
      bind(c);
    } catch (ConfigException e) {
      problems.add(e.getMessage());
      keyRefused = e.getMessage().startsWith("launcher.token-key");
    }
    problems.addAll(undecided(c.getStringList("launcher.policy.allowed-image-ids").isEmpty(),
        c.getStringList("launcher.policy.allowed-instance-types").isEmpty(),
        c.getString("launcher.token-key").isBlank() && !keyRefused));
    return problems;
  }

  private static String variableOf(String key) {
    return EnvOverrides.VARIABLES.entrySet().stream().filter(e -> e.getValue().equals(key)).map(Map.Entry::getKey)
        .findFirst().orElseThrow();
  }

  private static List<String> undecided(boolean noImages, boolean noTypes, boolean noTokenKey) {
    List<String> open = new ArrayList<>();
    if (noImages) {
      open.add("launcher.policy.allowed-image-ids is empty (LAUNCHER_ALLOWED_IMAGE_IDS; e.g. "
          + "[\"ami-0123456789abcdef0\"], or [\"*\"] for any)");
    }
    if (noTypes) {
      open.add("launcher.policy.allowed-instance-types is empty (LAUNCHER_ALLOWED_INSTANCE_TYPES; e.g. "
          + "[\"t3.*\", \"m7i.large\"], or [\"*\"] for any)");
    }
    if (noTokenKey) {
      open.add("launcher.token-key is not set (LAUNCHER_TOKEN_KEY; the output of `openssl rand -base64 "
          + MIN_TOKEN_KEY_BYTES + "`, or \"" + UNSIGNED_TOKEN_KEY + "\" to honour the token attribute unsigned)");
    }
    return open;
  }

  private static WorkerConfig.Metrics metrics(ConfigReader r) {
    String registry = r.oneOf("launcher.metrics.registry", java.util.Arrays.stream(
        WorkerConfig.Metrics.Registry.values()).map(WorkerConfig.Metrics.Registry::configName).toList());
    return new WorkerConfig.Metrics(
        WorkerConfig.Metrics.Registry.valueOf(registry.toUpperCase(java.util.Locale.ROOT)),
        r.nonEmptyString("launcher.metrics.cloudwatch-namespace"),
        // CloudWatch stores standard-resolution data per minute and high-resolution down to 1 s.
        r.durationIn("launcher.metrics.step", "1s", "1h"));
  }

  /**
   * {@code launcher.defaults}; shared with {@link ProducerConfig} because the default tags take from each
   * request's tag budget. More default tags than a request may carry at all is an error: no request could ever
   * launch with them (EC2 allows 50 tags per instance and the worker writes 3).
   */
  static LaunchDefaults defaults(ConfigReader r) {
    String tagsKey = "launcher.defaults.tags";
    LaunchDefaults defaults = new LaunchDefaults(
        r.optionalString("launcher.defaults.instance-type"),
        r.optionalString("launcher.defaults.subnet-id"),
        r.stringList("launcher.defaults.security-group-ids"),
        r.stringMap(tagsKey),
        new LaunchDefaults.Imds(
            r.oneOf("launcher.defaults.imds-v1", List.of("disabled", "allowed")).equals("allowed"),
            r.intIn("launcher.defaults.imds-hop-limit", 1, LaunchDefaults.Imds.MAX_HOP_LIMIT)))
        .withEnforcedTags(enforcedTags(r));
    int tags = defaults.tagsAddedTo(Set.of());
    if (tags > LaunchTags.MAX_OTHER_TAGS) {
      throw r.invalidWithoutValue(tagsKey, tags + " tags" + (defaults.enforcedTags().isEmpty() ? ""
          : " with those of " + ENFORCED_TAGS), "allowed: at most " + LaunchTags.MAX_OTHER_TAGS
          + " (EC2 allows 50 tags per instance and the worker adds its own 3), and each takes one from the "
          + "tags a request may carry");
    }
    return defaults;
  }

  /**
   * {@code launcher.tags.enforced}: what EC2 would refuse on every launch (an {@code aws:} key, a key over 128 or a
   * value over 256 characters) or the worker's own tags would replace ({@code launch-worker:}) stops start-up.
   */
  private static Map<String, String> enforcedTags(ConfigReader r) {
    Map<String, String> enforced = r.stringMap(ENFORCED_TAGS);
    for (Map.Entry<String, String> tag : enforced.entrySet()) {
      String key = tag.getKey();
      String lower = key.toLowerCase(java.util.Locale.ROOT);
      String entry = ENFORCED_TAGS + "." + com.typesafe.config.ConfigUtil.joinPath(key);
      if (lower.startsWith("aws:") || lower.startsWith(LaunchTags.RESERVED_PREFIX)) {
        throw r.invalid(entry, "the key is reserved; allowed: keys not starting with \"aws:\" (EC2's) or \""
            + LaunchTags.RESERVED_PREFIX + "\" (the worker's own tags)");
      }
      if (key.isEmpty() || key.codePointCount(0, key.length()) > 128
          || tag.getValue().codePointCount(0, tag.getValue().length()) > 256) {
        throw r.invalid(entry, "allowed: a key of 1 to 128 characters and a value of at most 256 (EC2's limits)");
      }
    }
    return enforced;
  }

  /** {@code launcher.policy}; shared with {@link ProducerConfig} so producers validate as the worker does. */
  static LaunchPolicy policy(ConfigReader r) {
    int perRequest = r.intIn("launcher.policy.max-instances-per-request", 1, 10_000);
    int perHour = r.intIn("launcher.policy.max-instances-per-hour", 1, 100_000_000);
    if (perHour < perRequest) {
      throw new ConfigException("launcher.policy.max-instances-per-hour = " + perHour
          + ": must be at least launcher.policy.max-instances-per-request (" + perRequest
          + "), or no request could ever launch");
    }
    return new LaunchPolicy(
        r.stringList("launcher.policy.allowed-image-ids"),
        r.stringList("launcher.policy.allowed-instance-types"),
        r.stringList("launcher.policy.allowed-subnet-ids"),
        perRequest, perHour,
        r.stringList("launcher.policy.allowed-launch-templates"),
        r.stringList("launcher.policy.allowed-security-group-ids"),
        r.stringList("launcher.policy.allowed-key-names"),
        r.stringList("launcher.policy.allowed-instance-profiles"),
        markets(r, "launcher.policy.allowed-markets"),
        r.intIn("launcher.policy.max-root-volume-gib", 1, RootVolume.MAX_SIZE_GIB),
        r.intIn("launcher.policy.max-shapes", 1, LaunchShape.MOST_PER_REQUEST),
        r.oneOf("launcher.policy.require-encrypted-volumes", List.of("true", "false")).equals("true"),
        r.stringList("launcher.policy.allowed-tag-keys"));
  }

  /** The markets listed, {@code *} for both; empty is an error, since no request could launch. */
  private static List<Market> markets(ConfigReader r, String key) {
    java.util.Set<Market> markets = new java.util.LinkedHashSet<>();
    for (String name : r.stringList(key)) {
      Market market = Market.fromWire(name);
      if (name.equals(LaunchPolicy.ANY)) {
        markets.addAll(List.of(Market.values()));
      } else if (market == null) {
        throw new ConfigException(key + " = " + name + ": allowed: \"on-demand\", \"spot\", \"*\" for both (a "
            + "request's \"spot-then-on-demand\" needs both)");
      } else {
        markets.add(market);
      }
    }
    if (markets.isEmpty()) {
      throw r.invalid(key, "allows no market, so no request could launch; allowed: \"on-demand\", \"spot\" or "
          + "both (\"*\")");
    }
    return List.copyOf(markets);
  }

  /**
   * A default its own allow-list refuses would reject every request that leaves the field out, so it is a
   * configuration error, reported with both keys. Shared with {@link ProducerConfig}.
   */
  static void refuseDefaultsThePolicyRefuses(ConfigReader r, LaunchPolicy policy, LaunchDefaults defaults) {
    for (LaunchPolicy.RefusedDefault refused : policy.refusedDefaults(defaults)) {
      String defaultKey = switch (refused.field()) {
        case INSTANCE_TYPE -> "launcher.defaults.instance-type";
        case SUBNET_ID -> "launcher.defaults.subnet-id";
        case SECURITY_GROUP_IDS -> "launcher.defaults.security-group-ids";
      };
      String listKey = switch (refused.field()) {
        case INSTANCE_TYPE -> "launcher.policy.allowed-instance-types";
        case SUBNET_ID -> "launcher.policy.allowed-subnet-ids";
        case SECURITY_GROUP_IDS -> "launcher.policy.allowed-security-group-ids";
      };
      throw r.invalid(defaultKey, "\"" + refused.value() + "\" is refused by " + listKey + " = "
          + r.stringList(listKey) + ", so every request that leaves the field out would be rejected; allowed: a "
          + "default that " + listKey + " allows, or none");
    }
  }

}
