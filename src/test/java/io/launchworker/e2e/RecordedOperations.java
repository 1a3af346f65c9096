package io.launchworker.e2e;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;

/**
 * Records every SDK operation a client executes (once per call, not per retry attempt), with the queue it
 * addressed when the request has a {@code QueueUrl}. Thread-safe: handler threads call it concurrently.
 */
final class RecordedOperations implements ExecutionInterceptor {
  /** One call: IAM service prefix ("sqs", "ec2"), SDK operation name, and the queue's name for SQS calls. */
  record Call(String service, String operation, Optional<String> queue) {}

  private final Set<Call> calls = ConcurrentHashMap.newKeySet();
  private final List<RunInstancesRequest> launches = new CopyOnWriteArrayList<>();

  @Override
  public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
    String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME).toLowerCase(Locale.ROOT);
    String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
    Optional<String> queue = context.request().getValueForField("QueueUrl", String.class)
        .map(url -> url.substring(url.lastIndexOf('/') + 1));
    calls.add(new Call(service, operation, queue));
    if (context.request() instanceof RunInstancesRequest launch) {
      launches.add(launch);
    }
  }

  Set<Call> calls() {
    return Set.copyOf(calls);
  }

  /** Every RunInstances request as the worker built it, so IAM conditions can be evaluated against it. */
  List<RunInstancesRequest> launches() {
    return List.copyOf(launches);
  }
}
