package io.launchworker.sim;

/** The EC2 API operations behind the worker's {@code Ec2Port}, named as AWS names them; used to count and aim faults. */
public enum Ec2Operation {
  /** {@code runInstances} and {@code dryRunAllowed}. */
  RUN_INSTANCES("RunInstances"),
  /** {@code findByToken}, {@code findByClientTokens} and {@code findTaggedLaunches}. */
  DESCRIBE_INSTANCES("DescribeInstances"),
  /** {@code rootDeviceName}. */
  DESCRIBE_IMAGES("DescribeImages");

  private final String awsName;

  Ec2Operation(String awsName) {
    this.awsName = awsName;
  }

  public String awsName() {
    return awsName;
  }
}
