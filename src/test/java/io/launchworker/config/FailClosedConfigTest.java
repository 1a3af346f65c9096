package io.launchworker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.launchworker.request.Market;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Issue 19, items 1 and 2: what a fresh install accepts is what a careless deploy ships. Empty allow-lists allow
 * nothing, every list has an environment variable, and the token key is a decision: a key of enough random bytes, or
 * "none" written out. Blank is an error, and no error shows a key.
 */
class FailClosedConfigTest {
  private static final String QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/launch-requests";
  private static final String DLQ = "https://sqs.us-east-1.amazonaws.com/123456789012/launch-requests-dlq";
  /** What `openssl rand -base64 32` prints: 44 characters. */
  private static final String KEY = Base64.getEncoder().encodeToString(bytes(32, 7));

  private static byte[] bytes(int count, int seed) {
    byte[] b = new byte[count];
    for (int i = 0; i < count; i++) {
      b[i] = (byte) (seed * 31 + i * 17);
    }
    return b;
  }

  private static WorkerConfig load(Map<String, String> variables) {
    Map<String, String> env = new HashMap<>(Map.of("LAUNCHER_QUEUE_URL", QUEUE, "LAUNCHER_DLQ_URL", DLQ));
    env.putAll(variables);
    return ConfigLoader.load(Optional.empty(), env, Map.of());
  }

  @Test
  void theBuiltInDefaultsLeaveImagesInstanceTypesAndTheTokenKeyOpenAndRunRefusesNamingEachInOneLine() {
    WorkerConfig builtIn = load(Map.of());

    assertThat(builtIn.policy().allowedImageIds()).isEmpty();
    assertThat(builtIn.policy().allowedInstanceTypes()).isEmpty();
    assertThat(builtIn.tokenKeys().decided()).isFalse();
    assertThatThrownBy(() -> ConfigLoader.requireDecided(builtIn)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("launcher.policy.allowed-image-ids is empty (LAUNCHER_ALLOWED_IMAGE_IDS")
        .hasMessageContaining("launcher.policy.allowed-instance-types is empty (LAUNCHER_ALLOWED_INSTANCE_TYPES")
        .hasMessageContaining("launcher.token-key is not set (LAUNCHER_TOKEN_KEY")
        .hasMessageContaining("openssl rand -base64 32").hasMessageContaining("[\"*\"] for any")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void listsAndAKeyOrNoneWrittenOutAreEnoughToRun() {
    Map<String, String> decided = Map.of("LAUNCHER_ALLOWED_IMAGE_IDS", "ami-0123456789abcdef0",
        "LAUNCHER_ALLOWED_INSTANCE_TYPES", "t3.micro");

    ConfigLoader.requireDecided(load(with(decided, "LAUNCHER_TOKEN_KEY", KEY)));
    WorkerConfig unsigned = load(with(decided, "LAUNCHER_TOKEN_KEY", "none"));
    ConfigLoader.requireDecided(unsigned);

    assertThat(unsigned.tokenKeys()).isEqualTo(WorkerConfig.TokenKeys.UNSIGNED);
    assertThatThrownBy(() -> ConfigLoader.requireDecided(load(with(decided, "LAUNCHER_ALLOWED_INSTANCE_TYPES", ""))))
        .hasMessageContaining("launcher.policy.allowed-instance-types is empty")
        .hasMessageNotContaining("allowed-image-ids").hasMessageContaining("launcher.token-key is not set");
  }

  @Test
  void everyAllowListHasAnEnvironmentVariableTakingACommaSeparatedList() {
    WorkerConfig c = load(Map.of(
        "LAUNCHER_ALLOWED_IMAGE_IDS", "ami-0123456789abcdef0, ami-0fedcba9876543210",
        "LAUNCHER_ALLOWED_INSTANCE_TYPES", "t3.*,m7i.large",
        "LAUNCHER_ALLOWED_SUBNET_IDS", "subnet-0aaa1111bbbb2222c",
        "LAUNCHER_ALLOWED_LAUNCH_TEMPLATES", "ci-*",
        "LAUNCHER_ALLOWED_SECURITY_GROUP_IDS", "sg-0aaa1111bbbb2222c,sg-0ddd3333eeee4444f",
        "LAUNCHER_ALLOWED_KEY_NAMES", "ci-runner",
        "LAUNCHER_ALLOWED_INSTANCE_PROFILES", "*",
        "LAUNCHER_ALLOWED_MARKETS", "*"));

    assertThat(c.policy().allowedImageIds()).containsExactly("ami-0123456789abcdef0", "ami-0fedcba9876543210");
    assertThat(c.policy().allowedInstanceTypes()).containsExactly("t3.*", "m7i.large");
    assertThat(c.policy().allowedSubnetIds()).containsExactly("subnet-0aaa1111bbbb2222c");
    assertThat(c.policy().allowedLaunchTemplates()).containsExactly("ci-*");
    assertThat(c.policy().allowedSecurityGroupIds()).containsExactly("sg-0aaa1111bbbb2222c", "sg-0ddd3333eeee4444f");
    assertThat(c.policy().allowedKeyNames()).containsExactly("ci-runner");
    assertThat(c.policy().allowedInstanceProfiles()).containsExactly("*");
    assertThat(c.policy().allowedMarkets()).containsExactly(Market.ON_DEMAND, Market.SPOT);
    assertThat(EnvOverrides.VARIABLES.values()).as("every allow-list of config/worker.conf")
        .containsAll(ConfigLoader.merged(Optional.empty(), Map.of(), Map.of()).getConfig("launcher.policy").root()
            .keySet().stream().filter(k -> k.startsWith("allowed-")).map(k -> "launcher.policy." + k).toList());
  }

  @Test
  void anEmptyMarketListIsAnErrorSinceNoRequestCouldLaunch() {
    assertThatThrownBy(() -> load(Map.of("LAUNCHER_ALLOWED_MARKETS", "")))
        .hasMessageStartingWith("launcher.policy.allowed-markets = \"[]\" (from environment variable "
            + "LAUNCHER_ALLOWED_MARKETS): allows no market");
  }

  @Test
  void aBlankTokenKeyIsAnErrorNotUnsetAndShowsAsBlank() {
    for (String blank : List.of("", "   ", "\n")) {
      assertThatThrownBy(() -> load(Map.of("LAUNCHER_TOKEN_KEY", blank))).as("[" + blank + "]")
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("launcher.token-key = \"" + blank.replace("\n", "\\n") + "\" (from environment "
              + "variable LAUNCHER_TOKEN_KEY): is blank")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"))
          .hasMessageContaining("openssl rand -base64 32").hasMessageContaining("\"none\"");
    }
    assertThatThrownBy(() -> load(Map.of("LAUNCHER_TOKEN_KEY", KEY, "LAUNCHER_TOKEN_KEY_PREVIOUS", "  ")))
        .hasMessageStartingWith("launcher.token-key-previous = \"  \" (from environment variable "
            + "LAUNCHER_TOKEN_KEY_PREVIOUS): is blank");
  }

  @Test
  void aKeyMustBeBase64OfAtLeast32BytesAndTheErrorNamesTheKeyButNeverShowsIt() {
    String short16 = Base64.getEncoder().encodeToString(bytes(16, 3));
    String longText = "this-is-a-passphrase-of-forty-characters!";

    assertThatThrownBy(() -> load(Map.of("LAUNCHER_TOKEN_KEY", short16)))
        .hasMessage("launcher.token-key (from environment variable LAUNCHER_TOKEN_KEY): decodes to 16 bytes; "
            + "allowed: at least 32 random bytes, base64 (standard or URL-safe alphabet), as `openssl rand -base64 32` "
            + "prints them; the value is not shown");
    assertThatThrownBy(() -> load(Map.of("LAUNCHER_TOKEN_KEY", longText)))
        .hasMessageStartingWith("launcher.token-key (from environment variable LAUNCHER_TOKEN_KEY): is not base64")
        .hasMessageNotContaining(longText);
    assertThatThrownBy(() -> load(Map.of("LAUNCHER_TOKEN_KEY", KEY, "LAUNCHER_TOKEN_KEY_PREVIOUS", short16)))
        .hasMessageStartingWith("launcher.token-key-previous (from environment variable "
            + "LAUNCHER_TOKEN_KEY_PREVIOUS): decodes to 16 bytes").hasMessageNotContaining(short16);
  }

  @Test
  void keysInEitherBase64AlphabetWithOrWithoutPaddingAndSurroundingBlanksAreAccepted() {
    byte[] raw = bytes(32, 11);
    for (String key : List.of(Base64.getEncoder().encodeToString(raw), Base64.getUrlEncoder().encodeToString(raw),
        Base64.getUrlEncoder().withoutPadding().encodeToString(raw), Base64.getEncoder().encodeToString(raw) + "\n")) {
      WorkerConfig c = load(Map.of("LAUNCHER_TOKEN_KEY", key));

      assertThat(c.tokenKeys().current()).contains(key.trim());
    }
  }

  @Test
  void noneIsOnlyForTheCurrentKeyAndAPreviousKeyNeedsACurrentOne() {
    assertThatThrownBy(() -> load(Map.of("LAUNCHER_TOKEN_KEY", KEY, "LAUNCHER_TOKEN_KEY_PREVIOUS", "none")))
        .hasMessageContaining("launcher.token-key-previous (from environment variable LAUNCHER_TOKEN_KEY_PREVIOUS): "
            + "\"none\" is only for launcher.token-key");
    assertThatThrownBy(() -> load(Map.of("LAUNCHER_TOKEN_KEY", "none", "LAUNCHER_TOKEN_KEY_PREVIOUS", KEY)))
        .hasMessageStartingWith("launcher.token-key-previous is set but launcher.token-key is \"none\"");
    assertThatThrownBy(() -> load(Map.of("LAUNCHER_TOKEN_KEY_PREVIOUS", KEY)))
        .hasMessageStartingWith("launcher.token-key-previous is set but launcher.token-key is not");
    assertThat(load(Map.of("LAUNCHER_TOKEN_KEY", KEY, "LAUNCHER_TOKEN_KEY_PREVIOUS", "")).tokenKeys().previous())
        .as("an empty previous key is none").isEmpty();
  }

  private static Map<String, String> with(Map<String, String> base, String key, String value) {
    Map<String, String> m = new HashMap<>(base);
    m.put(key, value);
    return m;
  }
}
