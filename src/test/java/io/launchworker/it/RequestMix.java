package io.launchworker.it;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * The requests of a chaos run: valid one-instance launches with a known number of requests that must be
 * rejected mixed in at seeded positions — malformed JSON, an unknown field, an instance type outside the
 * allow-list (the worker's own checks), and an image EC2 refuses (a rejection that comes back through the
 * faulty RunInstances path). Sent in batches of 10; each is remembered by the message ID SQS gave it. Not
 * thread-safe.
 */
final class RequestMix {
  static final String AMI = "ami-0123456789abcdef0";
  /** The emulator is told to answer RunInstances for this image with {@code InvalidAMIID.NotFound}. */
  static final String UNKNOWN_AMI = "ami-0fedcba9876543210";
  /** The allow-list the worker's config file sets; requests for anything else are rejected before EC2. */
  static final String ALLOWED_INSTANCE_TYPES = "t3.*";

  private static final int BATCH = 10;
  /** The shape members of a plain request: one type, no subnet, on-demand. */
  static final String ONE_TYPE = "\"instanceType\":\"t3.micro\"";

  /** What one request is and what must become of it. */
  enum Kind {
    LAUNCH(null),
    MALFORMED("malformed_json"),
    UNKNOWN_FIELD("unknown_field"),
    INSTANCE_TYPE_NOT_ALLOWED("instance_type_not_allowed"),
    IMAGE_UNKNOWN_TO_EC2("ec2:InvalidAMIID.NotFound");

    private final String reason;

    Kind(String reason) {
      this.reason = reason;
    }

    /** The DLQ reason it must end with; empty for a request that must launch. */
    Optional<String> expectedReason() {
      return Optional.ofNullable(reason);
    }

    String body(int i, String shapes) {
      return switch (this) {
        case LAUNCH -> launch(i, AMI, shapes);
        case MALFORMED -> "{\"imageId\": \"" + AMI + "\", \"instanceType\": \"t3.micro\", \"tags\": {";
        case UNKNOWN_FIELD -> "{\"imageId\":\"" + AMI + "\",\"instanceType\":\"t3.micro\",\"instanceCount\":2}";
        case INSTANCE_TYPE_NOT_ALLOWED -> launch(i, AMI, ONE_TYPE.replace("t3.micro", "p5.48xlarge"));
        case IMAGE_UNKNOWN_TO_EC2 -> launch(i, UNKNOWN_AMI, shapes);
      };
    }

    private static String launch(int i, String image, String shapes) {
      return "{\"imageId\":\"" + image + "\"," + shapes + ",\"tags\":{\"chaos\":\"" + i
          + "\"},\"requestId\":\"chaos-" + i + "\"}";
    }
  }

  /** What was sent: message IDs of requests to launch, and of requests to reject with their reason. */
  record Sent(List<String> launches, Map<String, String> rejects) {
    Sent {
      launches = List.copyOf(launches);
      rejects = Collections.unmodifiableMap(new LinkedHashMap<>(rejects));
    }

    int total() {
      return launches.size() + rejects.size();
    }
  }

  private final List<Kind> kinds;
  private final String shapes;

  private RequestMix(List<Kind> kinds, String shapes) {
    this.kinds = List.copyOf(kinds);
    this.shapes = shapes;
  }

  /** The same requests, their launches (and the image EC2 refuses) asking for these shape members instead. */
  RequestMix withShapes(String shapeMembers) {
    return new RequestMix(kinds, shapeMembers);
  }

  /** {@code requests} in all, of which {@code rejects} cycle through the rejecting kinds, at seeded places. */
  static RequestMix of(int requests, int rejects, Random random) {
    List<Kind> rejecting = List.of(Kind.MALFORMED, Kind.UNKNOWN_FIELD, Kind.INSTANCE_TYPE_NOT_ALLOWED,
        Kind.IMAGE_UNKNOWN_TO_EC2);
    List<Kind> kinds = new ArrayList<>(Collections.nCopies(requests - rejects, Kind.LAUNCH));
    for (int i = 0; i < rejects; i++) {
      kinds.add(rejecting.get(i % rejecting.size()));
    }
    Collections.shuffle(kinds, random);
    return new RequestMix(kinds, ONE_TYPE);
  }

  Sent send(SqsClient sqs, String queueUrl) {
    List<String> launches = new ArrayList<>();
    Map<String, String> rejects = new LinkedHashMap<>();
    for (int from = 0; from < kinds.size(); from += BATCH) {
      List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
      for (int i = from; i < Math.min(kinds.size(), from + BATCH); i++) {
        entries.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(i))
            .messageBody(kinds.get(i).body(i, shapes)).build());
      }
      SendMessageBatchResponse response = sqs.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
      if (!response.failed().isEmpty()) {
        throw new IllegalStateException("SQS refused part of a batch: " + response.failed());
      }
      response.successful().forEach(ok -> {
        Kind kind = kinds.get(Integer.parseInt(ok.id()));
        kind.expectedReason().ifPresentOrElse(reason -> rejects.put(ok.messageId(), reason),
            () -> launches.add(ok.messageId()));
      });
    }
    return new Sent(launches, rejects);
  }
}
