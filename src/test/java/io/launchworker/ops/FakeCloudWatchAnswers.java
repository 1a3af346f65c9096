package io.launchworker.ops;

import com.sun.net.httpserver.Headers;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A successful, empty PutMetricData answer in whichever protocol the SDK asked in: Smithy RPC v2 CBOR (what SDK
 * 2.59 uses for CloudWatch), AWS JSON 1.0, or the older AWS Query protocol.
 */
final class FakeCloudWatchAnswers {
  /** CBOR major type 5 (map) with zero entries: an empty output structure. */
  private static final byte[] CBOR_EMPTY_MAP = {(byte) 0xA0};

  private FakeCloudWatchAnswers() {}

  private static String requestType(Headers request) {
    return Optional.ofNullable(request.getFirst("Content-Type")).orElse("");
  }

  static String contentType(Headers request) {
    String type = requestType(request);
    if (type.contains("cbor")) {
      return "application/cbor";
    }
    return type.contains("json") ? "application/x-amz-json-1.0" : "text/xml";
  }

  static Optional<String> protocolHeader(Headers request) {
    return Optional.ofNullable(request.getFirst("Smithy-Protocol"));
  }

  static byte[] putMetricDataOk(Headers request) {
    String type = requestType(request);
    if (type.contains("cbor")) {
      return CBOR_EMPTY_MAP;
    }
    String body = type.contains("json") ? "{}"
        : "<PutMetricDataResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\">"
            + "<ResponseMetadata><RequestId>test-request</RequestId></ResponseMetadata></PutMetricDataResponse>";
    return body.getBytes(StandardCharsets.UTF_8);
  }
}
