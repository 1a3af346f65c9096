package io.launchworker.config;

import io.launchworker.request.LaunchDefaults;
import io.launchworker.request.LaunchPolicy;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What a producer ({@code launch-worker enqueue}) needs from the worker's configuration: the queue, where SQS
 * is, and the policy and defaults to validate against (the default tags take from each request's tag budget; an
 * allow-list left empty is not known here and so not checked: the worker, whose empty lists allow nothing, decides).
 * Read from the same layers as {@link WorkerConfig} (defaults, file, environment) but without demanding worker-only
 * keys such as the DLQ URL. Immutable.
 *
 * @param queueUrl {@code launcher.queue-url}, empty when not configured
 */
public record ProducerConfig(
    Optional<String> queueUrl, Optional<String> region, Optional<URI> sqsEndpoint, LaunchPolicy policy,
    LaunchDefaults defaults) {

  /** Throws {@link ConfigException} naming key, value, source and rule for a bad value of a key it reads. */
  public static ProducerConfig load(Optional<Path> file, Map<String, String> env) {
    ConfigReader r = new ConfigReader(ConfigLoader.merged(file, env, Map.of()));
    // A list the producer was not given is the worker's to check: empty means "not known here", not "none".
    LaunchPolicy policy = ConfigLoader.policy(r).unlistedAsAny();
    LaunchDefaults defaults = ConfigLoader.defaults(r);
    ConfigLoader.refuseDefaultsThePolicyRefuses(r, policy, defaults);
    return new ProducerConfig(
        r.optionalUrl("launcher.queue-url"),
        r.optionalString("launcher.aws.region"),
        r.optionalUri("launcher.aws.sqs-endpoint"),
        policy,
        defaults);
  }
}
