package io.launchworker.sandbox.ec2;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Predicate;

/**
 * DescribeInstances: instance ids, filters and MaxResults/NextToken pagination over launch order, among the
 * instances whose describe lag is over on the emulator's clock; one still hidden is unknown, as on EC2.
 */
final class DescribeInstancesAction {
  /** EC2's documented bounds for MaxResults. */
  private static final int MIN_RESULTS = 5;
  private static final int MAX_RESULTS = 1000;
  private static final String TOKEN_PREFIX = "emulator-offset:";

  private final InstanceStore store;
  private final Clock clock;

  DescribeInstancesAction(InstanceStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  String handle(QueryRequest request, String requestId) {
    List<String> ids = request.list("InstanceId");
    Integer maxResults = request.integer("MaxResults");
    if (maxResults != null && !ids.isEmpty()) {
      throw Ec2Error.badRequest("InvalidParameterCombination",
          "The parameter instancesSet cannot be used with the parameter maxResults");
    }
    if (maxResults != null && (maxResults < MIN_RESULTS || maxResults > MAX_RESULTS)) {
      throw Ec2Error.invalidValue("Value (" + maxResults + ") for parameter maxResults is invalid. "
          + "Expecting a value between " + MIN_RESULTS + " and " + MAX_RESULTS + ".");
    }
    Predicate<StoredInstance> matches = request.members("Filter").stream()
        .map(InstanceFilter::of)
        .map(f -> (Predicate<StoredInstance>) f)
        .reduce(i -> true, Predicate::and);
    Instant now = clock.instant();
    Predicate<StoredInstance> describable = i -> i.describable(now);
    List<StoredInstance> candidates = ids.isEmpty() ? store.all() : store.require(ids, describable);
    List<StoredInstance> selected = candidates.stream().filter(describable).filter(matches).toList();

    int from = offset(request.get("NextToken"), selected.size());
    int to = maxResults == null ? selected.size() : Math.min(selected.size(), from + maxResults);
    String nextToken = to < selected.size() ? encode(to) : null;
    return answer(requestId, selected.subList(from, to), nextToken);
  }

  private static String answer(String requestId, List<StoredInstance> page, String nextToken) {
    Xml xml = new Xml().root("DescribeInstancesResponse").leaf("requestId", requestId).open("reservationSet");
    // Instances of one reservation are contiguous in launch order, so consecutive runs are reservations.
    int start = 0;
    while (start < page.size()) {
      String reservationId = page.get(start).reservationId();
      int end = start;
      while (end < page.size() && page.get(end).reservationId().equals(reservationId)) {
        end++;
      }
      xml.open("item");
      InstanceXml.reservationBody(xml, reservationId, new ArrayList<>(page.subList(start, end)));
      xml.close("item");
      start = end;
    }
    xml.close("reservationSet").leaf("nextToken", nextToken);
    return xml.close("DescribeInstancesResponse").toString();
  }

  private static String encode(int offset) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString((TOKEN_PREFIX + offset).getBytes(StandardCharsets.UTF_8));
  }

  private static int offset(String token, int size) {
    if (token == null || token.isEmpty()) {
      return 0;
    }
    try {
      String decoded = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      if (decoded.startsWith(TOKEN_PREFIX)) {
        int offset = Integer.parseInt(decoded.substring(TOKEN_PREFIX.length()));
        if (offset >= 0) {
          return Math.min(offset, size);
        }
      }
    } catch (IllegalArgumentException e) {
      // falls through to the EC2 error below
    }
    throw Ec2Error.invalidValue("Invalid NextToken: " + token);
  }
}
