package io.launchworker.launch;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Sees every HTTP attempt of the EC2 client, including those the SDK retries on its own, and tells the
 * {@link Ec2Budget} about throttling (EC2 answers {@code RequestLimitExceeded} with HTTP 503) and successes,
 * so the client-side rate adapts even when the SDK hides the throttle behind a successful retry.
 */
public final class Ec2CallObserver implements ExecutionInterceptor {
  private final Ec2Budget budget;

  public Ec2CallObserver(Ec2Budget budget) {
    this.budget = budget;
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
      gate.throttled();
    } else if (status >= 200 && status < 300) {
      gate.succeeded();
    }
  }
}
