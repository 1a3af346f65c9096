package io.launchworker.sim;

/** The SQS API operations {@link SimSqs} answers, named as AWS names them; used to count calls and aim faults. */
public enum SqsOperation {
  RECEIVE_MESSAGE("ReceiveMessage"),
  SEND_MESSAGE("SendMessage"),
  SEND_MESSAGE_BATCH("SendMessageBatch"),
  DELETE_MESSAGE("DeleteMessage"),
  DELETE_MESSAGE_BATCH("DeleteMessageBatch"),
  CHANGE_MESSAGE_VISIBILITY("ChangeMessageVisibility"),
  CHANGE_MESSAGE_VISIBILITY_BATCH("ChangeMessageVisibilityBatch"),
  GET_QUEUE_ATTRIBUTES("GetQueueAttributes"),
  GET_QUEUE_URL("GetQueueUrl");

  private final String awsName;

  SqsOperation(String awsName) {
    this.awsName = awsName;
  }

  /** The operation's name in the SQS API reference. */
  public String awsName() {
    return awsName;
  }
}
