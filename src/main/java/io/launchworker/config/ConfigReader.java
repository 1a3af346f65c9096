package io.launchworker.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Typed reads of one key each, every failure a one-line {@link ConfigException} with key, value and rule. */
final class ConfigReader {
  /** Dot-separated DNS labels (letters, digits, inner hyphens), as RFC 1123 allows them. */
  private static final java.util.regex.Pattern HOST_NAME = java.util.regex.Pattern.compile(
      "(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

  private static final String BUILT_IN_DEFAULT = "built-in default";

  /** How {@code check-config} prints a secret (the mask of {@code ops.Secrets}). */
  private static final String MASK = "****";

  private final Config config;

  ConfigReader(Config config) {
    this.config = config;
  }

  String requiredUrl(String key) {
    return optionalUrl(key).orElseThrow(() -> bad(key, "is required (an SQS queue URL such as "
        + "https://sqs.us-east-1.amazonaws.com/123456789012/launch-requests)"));
  }

  Optional<String> optionalUrl(String key) {
    Optional<String> value = optionalString(key);
    value.ifPresent(v -> {
      URI uri = parseUri(key, v);
      if (uri.getScheme() == null || !uri.getScheme().startsWith("http") || uri.getHost() == null) {
        throw bad(key, "must be an http(s) URL, e.g. https://sqs.us-east-1.amazonaws.com/123456789012/name");
      }
    });
    return value;
  }

  Optional<URI> optionalUri(String key) {
    return optionalString(key).map(v -> {
      URI uri = parseUri(key, v);
      if (uri.getScheme() == null || uri.getHost() == null) {
        throw bad(key, "must be an absolute URL such as http://localhost:4566, or \"\" for the SDK's default");
      }
      return uri;
    });
  }

  private URI parseUri(String key, String v) {
    try {
      return new URI(v);
    } catch (java.net.URISyntaxException e) {
      throw bad(key, "is not a valid URL: " + e.getReason());
    }
  }

  Optional<String> optionalString(String key) {
    String value = string(key).trim();
    return value.isEmpty() ? Optional.empty() : Optional.of(value);
  }

  /** The value as written, blanks kept (a secret's "blank" must be told from "unset"). */
  String untrimmed(String key) {
    return string(key);
  }

  /** Whether the key's value is the one packed in the jar: set nowhere else. */
  boolean isBuiltInDefault(String key) {
    return origin(key).equals(BUILT_IN_DEFAULT);
  }

  String nonEmptyString(String key) {
    return optionalString(key).orElseThrow(() -> bad(key, "must not be empty"));
  }

  private String string(String key) {
    ConfigValue value = config.getValue(key);
    if (value.valueType() == ConfigValueType.OBJECT || value.valueType() == ConfigValueType.LIST) {
      throw bad(key, "must be a single value, not a " + value.valueType().name().toLowerCase());
    }
    return notMasked(key, String.valueOf(value.unwrapped()));
  }

  /**
   * {@code check-config} prints secrets as {@value #MASK} (see {@code ops.Secrets}); that output loaded back
   * must not run with the mask as a key or a password.
   */
  private String notMasked(String key, String value) {
    if (value.equals(MASK) || value.contains("://" + MASK + "@")) {
      String variable = EnvOverrides.VARIABLES.entrySet().stream().filter(e -> e.getValue().equals(key))
          .map(e -> " or " + e.getKey()).findFirst().orElse("");
      throw bad(key, MASK + " is check-config's mask for a secret, not a value: set the real one here" + variable
          + ", or remove the line for the default");
    }
    return value;
  }

  /** One of {@code allowed}, compared exactly (the spellings are lower case). */
  String oneOf(String key, java.util.List<String> allowed) {
    String value = string(key).trim();
    if (!allowed.contains(value)) {
      throw bad(key, "must be one of " + String.join(", ", allowed));
    }
    return value;
  }

  int intIn(String key, int min, int max) {
    String raw = string(key).trim();
    int value;
    try {
      value = Integer.parseInt(raw);
    } catch (NumberFormatException e) {
      throw bad(key, "must be a whole number from " + min + " to " + max);
    }
    if (value < min || value > max) {
      throw bad(key, "must be a whole number from " + min + " to " + max);
    }
    return value;
  }

  double positive(String key, double max) {
    String raw = string(key).trim();
    double value;
    try {
      value = Double.parseDouble(raw);
    } catch (NumberFormatException e) {
      throw bad(key, "must be a number above 0 and at most " + (long) max);
    }
    if (!(value > 0 && value <= max)) {
      throw bad(key, "must be a number above 0 and at most " + (long) max);
    }
    return value;
  }

  double fraction(String key) {
    String raw = string(key).trim();
    double value;
    try {
      value = Double.parseDouble(raw);
    } catch (NumberFormatException e) {
      throw bad(key, "must be a number above 0 and below 1");
    }
    if (!(value > 0 && value < 1)) {
      throw bad(key, "must be a number above 0 and below 1");
    }
    return value;
  }

  Duration durationIn(String key, String min, String max) {
    Duration value;
    try {
      value = config.getDuration(key);
    } catch (com.typesafe.config.ConfigException e) {
      throw bad(key, "must be a duration with a unit, e.g. 500ms, 20s, 15m, 12h");
    }
    Duration lo = parse(min);
    Duration hi = parse(max);
    if (value.compareTo(lo) < 0 || value.compareTo(hi) > 0) {
      throw bad(key, "must be from " + min + " to " + max);
    }
    return value;
  }

  private static Duration parse(String text) {
    return com.typesafe.config.ConfigFactory.parseString("d = " + text).getDuration("d");
  }

  List<String> stringList(String key) {
    ConfigValue value = config.getValue(key);
    if (value.valueType() != ConfigValueType.LIST) {
      throw bad(key, "must be a list of strings, e.g. [\"a\", \"b\"]");
    }
    List<String> result = new ArrayList<>();
    for (Object item : (List<?>) value.unwrapped()) {
      if (!(item instanceof String s) || s.isBlank()) {
        throw bad(key, "must be a list of non-empty strings");
      }
      result.add(s.trim());
    }
    return result;
  }

  /** A list of DNS host names as a client writes them in a Host header: no scheme, port, path or wildcard. */
  List<String> hostNames(String key) {
    List<String> names = stringList(key);
    for (String name : names) {
      if (!HOST_NAME.matcher(name).matches()) {
        throw bad(key, "\"" + name + "\" is not a host name; must be a list of names without scheme or port, "
            + "e.g. [\"worker\", \"launch-worker.ops.svc\"]");
      }
    }
    return names.stream().map(n -> n.toLowerCase(java.util.Locale.ROOT)).toList();
  }

  Map<String, String> stringMap(String key) {
    ConfigValue value = config.getValue(key);
    if (value.valueType() != ConfigValueType.OBJECT) {
      throw bad(key, "must be an object of tag name to value, e.g. { team = \"ci\" }");
    }
    Map<String, String> result = new LinkedHashMap<>();
    for (Map.Entry<String, ConfigValue> entry : config.getConfig(key).root().entrySet()) {
      ConfigValueType type = entry.getValue().valueType();
      if (type == ConfigValueType.OBJECT || type == ConfigValueType.LIST || type == ConfigValueType.NULL) {
        throw bad(key + "." + entry.getKey(), "must be a string tag value");
      }
      result.put(entry.getKey(), notMasked(key + "." + com.typesafe.config.ConfigUtil.joinPath(entry.getKey()),
          String.valueOf(entry.getValue().unwrapped())));
    }
    return result;
  }

  /** A rule the key's value breaks that only shows with other keys: the key, its value, where it was set, the rule. */
  ConfigException invalid(String key, String rule) {
    return bad(key, rule);
  }

  /** For a key whose value is too long to show in full: the key, what it holds, where it was set, the rule. */
  ConfigException invalidWithoutValue(String key, String what, String rule) {
    return new ConfigException(key + ": " + what + " (from " + origin(config.getValue(key)) + "): " + rule);
  }

  /** The key, its value and where it came from: {@code launcher.sqs.wait-time = "20s" (from built-in default)}. */
  String describe(String key) {
    ConfigValue value = config.getValue(key);
    return key + " = \"" + value.unwrapped() + "\" (from " + origin(value) + ")";
  }

  /** Where the key's value came from, as {@link #origin(ConfigValue)} says it. */
  String origin(String key) {
    return origin(config.getValue(key));
  }

  /** "environment variable X", "file.conf: 12", or "built-in default" rather than a jar URL. */
  private static String origin(ConfigValue value) {
    String resource = value.origin().resource();
    if (resource != null && resource.endsWith("worker.conf")) {
      return BUILT_IN_DEFAULT;
    }
    return value.origin().description();
  }

  private ConfigException bad(String key, String rule) {
    ConfigValue value = config.hasPathOrNull(key) ? config.getValue(key) : null;
    String shown = value == null ? "(missing)" : "\"" + String.valueOf(value.unwrapped()) + "\"";
    String from = value == null ? "" : " (from " + origin(value) + ")";
    return new ConfigException(key + " = " + shown + from + ": " + rule);
  }
}
