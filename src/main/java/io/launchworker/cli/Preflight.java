package io.launchworker.cli;

import io.launchworker.config.AwsClients;
import io.launchworker.config.WorkerConfig;
import io.launchworker.request.LaunchTags;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * What {@code run} checks before its worker takes a message, so a set-up mistake ends start-up with one line and
 * exit code 2 instead of a worker that retries forever: credentials and region resolve, the queue and the DLQ
 * exist and answer, EC2 answers. Only calls the worker makes anyway ({@code GetQueueAttributes},
 * {@code DescribeInstances}), so the IAM policy needs nothing more. A failure that is not about the set-up (a
 * 5xx, throttling) is logged and left to the worker's own retries. Blocks on AWS; stateless.
 */
final class Preflight {
  private static final Logger log = LoggerFactory.getLogger(Preflight.class);

  private Preflight() {}

  /**
   * The worker's clients, checked.
   *
   * @param queue where {@code launcher.queue-url} came from; {@code dlq} the same for {@code launcher.dlq-url}
   * @throws SetupException naming what to set
   */
  static AwsClients clients(WorkerConfig settings, AwsCredentialsProvider credentials,
      List<ExecutionInterceptor> ec2Interceptors, AwsSetup sqs, AwsSetup ec2, AwsSetup.Setting queue,
      AwsSetup.Setting dlq) {
    AwsClients clients;
    try {
      credentials.resolveCredentials();
      clients = AwsClients.create(settings, credentials, ec2Interceptors);
    } catch (SdkException e) {
      throw sqs.explain(e).orElseThrow(() -> e);
    }
    try {
      for (AwsSetup.Setting q : List.of(queue, dlq)) {
        probe(sqs.forQueue(q), () -> clients.sqs().getQueueAttributes(b -> b.queueUrl(q.value())
            .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)));
      }
      probe(ec2, () -> clients.ec2().describeInstances(b -> b.maxResults(5)
          .filters(f -> f.name("tag-key").values(LaunchTags.TOKEN))));
      return clients;
    } catch (RuntimeException e) {
      clients.close();
      throw e;
    }
  }

  private static void probe(AwsSetup setup, Runnable call) {
    try {
      call.run();
    } catch (SdkException e) {
      java.util.Optional<SetupException> problem = setup.explain(e);
      if (problem.isPresent()) {
        throw problem.get();
      }
      log.warn("start-up check of {} failed; the worker retries on its own: {}", setup.service(), e.toString());
    }
  }
}
