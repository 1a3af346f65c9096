package io.launchworker.testing;

import io.launchworker.launch.Ec2Port;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;

/** An EC2 port that passes every call on; a test double overrides only the call it changes. */
public abstract class ForwardingEc2Port implements Ec2Port {
  protected final Ec2Port delegate;

  protected ForwardingEc2Port(Ec2Port delegate) {
    this.delegate = delegate;
  }

  @Override
  public Reservation runInstances(RunInstancesRequest request) {
    return delegate.runInstances(request);
  }

  @Override
  public List<FoundInstance> findByToken(String token, TokenFilter filter) {
    return delegate.findByToken(token, filter);
  }

  @Override
  public List<FoundInstance> findByClientTokens(List<String> clientTokens) {
    return delegate.findByClientTokens(clientTokens);
  }

  @Override
  public boolean dryRunAllowed(RunInstancesRequest request) {
    return delegate.dryRunAllowed(request);
  }

  @Override
  public String rootDeviceName(String imageId) {
    return delegate.rootDeviceName(imageId);
  }

  @Override
  public TaggedLaunchPage findTaggedLaunches(List<LaunchSpan> spans, Optional<String> pageToken) {
    return delegate.findTaggedLaunches(spans, pageToken);
  }
}
