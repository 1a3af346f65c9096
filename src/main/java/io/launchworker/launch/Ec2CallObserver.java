package io.launchworker.launch;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Sees every HTTP attempt of the EC2 client, including those the SDK retries on its own, and tells the
 * {@link Ec2Budget} about throttling (EC2 answers {@code RequestLimitExceeded} with HTTP 503) and successes,
 * so the client-side rate adapts even when the SDK hides the throttle behind a successful retry. Each attempt is
 * stamped when it is sent, so a gate can tell a throttle of a call sent before its last decrease (answered for the
 * old rate) from a new one.
 */
public final class Ec2CallObserver implements ExecutionInterceptor {
  private static final ExecutionAttribute<Long> SENT_NANOS = new ExecutionAttribute<>("launch-worker.sent-nanos");

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Ec2CallObserver.class);

  private final Ec2Budget budget;

  public Ec2CallObserver(Ec2Budget budget) {
    this.budget = budget;
  }

  @Override
  public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
    String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
    if (operation != null) {
      attributes.putAttribute(SENT_NANOS, budget.forOperation(operation).nanoTime());
    }
  }

  @Override
  public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
    String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
    if (operation == null) {
      return;
    }
    int status = context.httpResponse().statusCode();
    RateGate gate = budget.forOperation(operation);
    if (status == 503) {
      Long sent = attributes.getAttribute(SENT_NANOS);
      if (gate.throttled(sent != null ? sent : gate.nanoTime())) {
        log.info("EC2 throttled {}: this worker now allows itself {} calls a second (ceiling {})", operation,
            String.format(java.util.Locale.ROOT, "%.2f", gate.currentRate()), gate.ceilingRate());
      }
    } else if (status >= 200 && status < 300) {
      gate.succeeded();
    }
  }
}
