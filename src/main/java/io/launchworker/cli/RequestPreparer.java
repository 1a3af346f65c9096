package io.launchworker.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.launchworker.request.LaunchRequest;
import io.launchworker.request.ReadResult;
import io.launchworker.request.RequestReader;
import java.util.Optional;

/**
 * Checks one input line with the worker's own {@link RequestReader} and, with {@code --client-token-from},
 * writes the derived token into the body as {@code clientToken}. A line the worker would reject is never sent.
 * Thread-safe.
 */
final class RequestPreparer {
  /** What becomes of one line: ready to send, or why not. */
  sealed interface Prepared {
    int line();
  }

  /** @param clientToken the body's token, if it has one; else the worker will use the message ID */
  record Ready(int line, String body, Optional<String> clientToken) implements Prepared {}

  /** @param reason a reject-reason code and the worker's message, never containing userData */
  record Bad(int line, String reason) implements Prepared {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final RequestReader reader;
  private final Optional<ClientTokenField> tokenFrom;

  RequestPreparer(RequestReader reader, Optional<ClientTokenField> tokenFrom) {
    this.reader = reader;
    this.tokenFrom = tokenFrom;
  }

  Prepared prepare(InputRequests.Line line) {
    ReadResult result = reader.read(line.body());
    if (result instanceof ReadResult.Rejected rejected) {
      return new Bad(line.number(), rejected.rejection().reason() + ": " + rejected.rejection().message());
    }
    LaunchRequest request = ((ReadResult.Accepted) result).request();
    int refused = firstCharacterSqsRefuses(line.body());
    if (refused >= 0) {
      return new Bad(line.number(), "sqs_invalid_character: the body has U+"
          + String.format("%04X", (int) line.body().charAt(refused)) + " at index " + refused
          + ", which SQS does not accept in a message; allowed: tab, line breaks, U+0020 to U+D7FF, U+E000 to "
          + "U+FFFD and U+10000 to U+10FFFF");
    }
    if (tokenFrom.isEmpty()) {
      return new Ready(line.number(), line.body(), request.clientToken());
    }
    return withDerivedToken(line, request, tokenFrom.get());
  }

  /**
   * The index of the first UTF-16 unit outside SQS's message alphabet, or -1. The worker's rules allow such
   * characters (they are not control characters), but SQS refuses them, on some implementations by failing the
   * whole batch; a lone surrogate would silently become "?" on the way.
   */
  static int firstCharacterSqsRefuses(String body) {
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < body.length() && Character.isLowSurrogate(body.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c) || c == 0xFFFE || c == 0xFFFF
          || (c < 0x20 && c != '\t' && c != '\n' && c != '\r')) {
        return i;
      }
    }
    return -1;
  }

  private Prepared withDerivedToken(InputRequests.Line line, LaunchRequest request, ClientTokenField field) {
    ObjectNode body;
    try {
      // Safe to re-read with a lenient mapper: the reader has already refused repeated keys.
      body = (ObjectNode) JSON.readTree(line.body());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a body the reader accepted did not parse", e);
    }
    Optional<String> value = field.valueIn(body);
    if (value.isEmpty()) {
      return new Bad(line.number(), "client_token_field_missing: --client-token-from " + field
          + ": the request has no such field with a non-empty string or integer value");
    }
    String token = ClientTokenField.token(value.get());
    if (request.clientToken().isPresent() && !request.clientToken().get().equals(token)) {
      return new Bad(line.number(), "client_token_conflict: the request sets clientToken \""
          + request.clientToken().get() + "\" but --client-token-from " + field + " gives \"" + token + "\"");
    }
    body.put("clientToken", token);
    String rewritten = body.toString();
    if (reader.read(rewritten) instanceof ReadResult.Rejected rejected) {
      // Only the size can change: a body just under SQS's limit may not fit with the token added.
      return new Bad(line.number(), rejected.rejection().reason() + ": " + rejected.rejection().message()
          + " (with clientToken added)");
    }
    return new Ready(line.number(), rewritten, Optional.of(token));
  }
}
