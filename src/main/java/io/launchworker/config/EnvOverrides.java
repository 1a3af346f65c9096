package io.launchworker.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The environment variables that override configuration keys. The names are public interface: deployment
 * manifests and users' scripts set them, so they are only ever added to, never renamed. A variable whose key
 * holds a list takes a comma-separated list.
 */
public final class EnvOverrides {
  /** Environment variable → configuration path, in the order they are documented. */
  public static final Map<String, String> VARIABLES = variables();

  private EnvOverrides() {}

  private static Map<String, String> variables() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("LAUNCHER_QUEUE_URL", "launcher.queue-url");
    m.put("LAUNCHER_DLQ_URL", "launcher.dlq-url");
    m.put("LAUNCHER_RESULTS_QUEUE_URL", "launcher.results-queue-url");
    m.put("LAUNCHER_MAX_IN_FLIGHT", "launcher.max-in-flight");
    m.put("LAUNCHER_MAX_ATTEMPTS", "launcher.max-attempts");
    m.put("LAUNCHER_VISIBILITY_TIMEOUT", "launcher.sqs.visibility-timeout");
    m.put("LAUNCHER_SHUTDOWN_GRACE", "launcher.shutdown.grace");
    m.put("LAUNCHER_ADMIN_PORT", "launcher.admin.port");
    m.put("LAUNCHER_ADMIN_HOST", "launcher.admin.host");
    m.put("LAUNCHER_ADMIN_ALLOWED_HOSTS", "launcher.admin.allowed-hosts");
    m.put("LAUNCHER_MAX_INSTANCES_PER_REQUEST", "launcher.policy.max-instances-per-request");
    m.put("LAUNCHER_MAX_INSTANCES_PER_HOUR", "launcher.policy.max-instances-per-hour");
    m.put("LAUNCHER_ALLOWED_IMAGE_IDS", "launcher.policy.allowed-image-ids");
    m.put("LAUNCHER_ALLOWED_INSTANCE_TYPES", "launcher.policy.allowed-instance-types");
    m.put("LAUNCHER_ALLOWED_SUBNET_IDS", "launcher.policy.allowed-subnet-ids");
    m.put("LAUNCHER_ALLOWED_LAUNCH_TEMPLATES", "launcher.policy.allowed-launch-templates");
    m.put("LAUNCHER_ALLOWED_SECURITY_GROUP_IDS", "launcher.policy.allowed-security-group-ids");
    m.put("LAUNCHER_ALLOWED_KEY_NAMES", "launcher.policy.allowed-key-names");
    m.put("LAUNCHER_ALLOWED_INSTANCE_PROFILES", "launcher.policy.allowed-instance-profiles");
    m.put("LAUNCHER_ALLOWED_MARKETS", "launcher.policy.allowed-markets");
    m.put("LAUNCHER_MAX_ROOT_VOLUME_GIB", "launcher.policy.max-root-volume-gib");
    m.put("LAUNCHER_MAX_SHAPES", "launcher.policy.max-shapes");
    m.put("LAUNCHER_REQUIRE_ENCRYPTED_VOLUMES", "launcher.policy.require-encrypted-volumes");
    m.put("LAUNCHER_ALLOWED_TAG_KEYS", "launcher.policy.allowed-tag-keys");
    m.put("LAUNCHER_MAX_REQUEST_AGE", "launcher.max-request-age");
    m.put("LAUNCHER_CONSISTENCY_WINDOW", "launcher.retry.consistency-window");
    m.put("LAUNCHER_RUN_INSTANCES_BURST", "launcher.ec2.run-instances-burst");
    m.put("LAUNCHER_EC2_ADAPTIVE", "launcher.ec2.adaptive");
    m.put("LAUNCHER_RUN_INSTANCES_PER_SECOND", "launcher.ec2.run-instances-per-second");
    m.put("LAUNCHER_METRICS_REGISTRY", "launcher.metrics.registry");
    m.put("LAUNCHER_TOKEN_KEY", "launcher.token-key");
    m.put("LAUNCHER_TOKEN_KEY_PREVIOUS", "launcher.token-key-previous");
    return java.util.Collections.unmodifiableMap(m);
  }
}
