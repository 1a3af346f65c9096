package io.launchworker.sandbox.ec2;

/** EC2 instance state names and their codes, as DescribeInstances reports them. */
final class InstanceStates {
  static final String RUNNING = "running";
  static final String TERMINATED = "terminated";

  private InstanceStates() {}

  static int code(String state) {
    return switch (state) {
      case "pending" -> 0;
      case RUNNING -> 16;
      case "shutting-down" -> 32;
      case TERMINATED -> 48;
      case "stopping" -> 64;
      case "stopped" -> 80;
      default -> throw new IllegalArgumentException("unknown state " + state);
    };
  }
}
