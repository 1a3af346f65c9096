package io.launchworker.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What an audit found: the worker's instances launched since {@code since}, grouped by token. Immutable.
 *
 * @param pages DescribeInstances pages read
 * @param tokens every token seen, in token order
 */
public record AuditReport(Instant since, int pages, List<TokenLaunches> tokens) {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  public AuditReport {
    tokens = List.copyOf(tokens);
  }

  /** An instance as DescribeInstances listed it. */
  public record AuditedInstance(String token, String reservationId, String instanceId, String state,
      Instant launchTime) {}

  /** A token's instances; more than one reservation means the request was launched more than once. */
  public record TokenLaunches(String token, List<AuditedInstance> instances) {
    public TokenLaunches {
      instances = List.copyOf(instances);
    }

    public List<String> reservations() {
      return instances.stream().map(AuditedInstance::reservationId).distinct().toList();
    }

    public boolean duplicated() {
      return reservations().size() > 1;
    }
  }

  static AuditReport of(Instant since, int pages, List<AuditedInstance> instances) {
    Map<String, List<AuditedInstance>> byToken = instances.stream().collect(Collectors.groupingBy(
        AuditedInstance::token, TreeMap::new, Collectors.toList()));
    return new AuditReport(since, pages, byToken.entrySet().stream().map(e -> new TokenLaunches(e.getKey(),
        e.getValue().stream().sorted(Comparator.comparing(AuditedInstance::reservationId)
            .thenComparing(AuditedInstance::instanceId)).toList())).toList());
  }

  public List<TokenLaunches> duplicates() {
    return tokens.stream().filter(TokenLaunches::duplicated).toList();
  }

  public boolean hasDuplicates() {
    return tokens.stream().anyMatch(TokenLaunches::duplicated);
  }

  public int instances() {
    return tokens.stream().mapToInt(t -> t.instances().size()).sum();
  }

  public int reservations() {
    return tokens.stream().mapToInt(t -> t.reservations().size()).sum();
  }

  /** Instance count per state name, in name order. */
  public Map<String, Long> instancesByState() {
    return tokens.stream().flatMap(t -> t.instances().stream()).collect(Collectors.groupingBy(
        AuditedInstance::state, TreeMap::new, Collectors.counting()));
  }

  /** The human report: totals, instances by state, then the duplicated tokens (every token with {@code all}). */
  public String table(boolean all) {
    StringBuilder out = new StringBuilder();
    out.append(String.format("audit: instances tagged %s launched since %s%n", io.launchworker.request.LaunchTags.TOKEN,
        since.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
    Map<String, Object> totals = new LinkedHashMap<>();
    totals.put("tokens", tokens.size());
    totals.put("instances", instances());
    instancesByState().forEach((state, count) -> totals.put("  " + state, count));
    totals.put("reservations", reservations());
    totals.put("tokens with more than one reservation", duplicates().size());
    totals.forEach((k, v) -> out.append(String.format("%-40s %8s%n", k, v)));
    List<TokenLaunches> listed = all ? tokens : duplicates();
    if (!listed.isEmpty()) {
      out.append(String.format("%n%-64s  %-12s  %-22s  %-19s  %s%n", "TOKEN", "RESERVATIONS", "RESERVATION",
          "INSTANCE", "STATE / LAUNCHED"));
      for (TokenLaunches t : listed) {
        String mark = t.duplicated() ? Integer.toString(t.reservations().size()) + " DUPLICATE" : "1";
        boolean first = true;
        for (AuditedInstance i : t.instances()) {
          out.append(String.format("%-64s  %-12s  %-22s  %-19s  %s %s%n", first ? t.token() : "",
              first ? mark : "", i.reservationId(), i.instanceId(), i.state(), i.launchTime()));
          first = false;
        }
      }
    }
    out.append(hasDuplicates()
        ? String.format("%nFAILED: %d token(s) launched more than once%n", duplicates().size())
        : String.format("%nOK: every token has exactly one reservation%n"));
    return out.toString();
  }

  /** The whole report, every token included, as one JSON document. */
  public String json() {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("since", since.toString());
    root.put("tokens", tokens.size());
    root.put("instances", instances());
    root.put("reservations", reservations());
    ObjectNode states = root.putObject("instancesByState");
    instancesByState().forEach(states::put);
    root.put("duplicatedTokens", duplicates().size());
    root.put("ok", !hasDuplicates());
    ArrayNode list = root.putArray("byToken");
    for (TokenLaunches t : tokens) {
      ObjectNode node = list.addObject().put("token", t.token()).put("duplicated", t.duplicated());
      t.reservations().forEach(node.putArray("reservations")::add);
      ArrayNode instances = node.putArray("instances");
      t.instances().forEach(i -> instances.addObject().put("instanceId", i.instanceId())
          .put("reservationId", i.reservationId()).put("state", i.state())
          .put("launchTime", i.launchTime() == null ? null : i.launchTime().toString()));
    }
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of strings and numbers always serializes", e);
    }
  }
}
