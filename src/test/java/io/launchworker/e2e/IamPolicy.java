package io.launchworker.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * {@code docker/iam-policy.json} read as data: its Allow statements, and a small evaluator answering "is this
 * action allowed on this resource" with IAM's wildcard rules for resources ({@code *} any run, {@code ?} one
 * character). Conditions are kept for the tests to inspect, not evaluated.
 */
record IamPolicy(List<Statement> statements) {
  static final Path FILE = Path.of("docker", "iam-policy.json");

  record Statement(String sid, String effect, List<String> actions, List<String> resources, JsonNode condition) {
    boolean allows(String action, String resource) {
      return effect.equals("Allow") && actions.contains(action)
          && resources.stream().anyMatch(r -> glob(r).matcher(resource).matches());
    }
  }

  static IamPolicy read() throws IOException {
    JsonNode root = new ObjectMapper().readTree(FILE.toFile());
    List<Statement> statements = new ArrayList<>();
    for (JsonNode s : root.get("Statement")) {
      statements.add(new Statement(s.path("Sid").asText(), s.get("Effect").asText(), strings(s.get("Action")),
          strings(s.get("Resource")), s.path("Condition")));
    }
    return new IamPolicy(List.copyOf(statements));
  }

  private static List<String> strings(JsonNode node) {
    List<String> values = new ArrayList<>();
    if (node.isArray()) {
      node.forEach(n -> values.add(n.asText()));
    } else {
      values.add(node.asText());
    }
    return values;
  }

  private static Pattern glob(String resource) {
    StringBuilder regex = new StringBuilder();
    for (char c : resource.toCharArray()) {
      regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
    }
    return Pattern.compile(regex.toString());
  }

  Set<String> allowedActions() {
    Set<String> actions = new TreeSet<>();
    statements.stream().filter(s -> s.effect().equals("Allow")).forEach(s -> actions.addAll(s.actions()));
    return actions;
  }

  boolean allows(String action, String resource) {
    return statements.stream().anyMatch(s -> s.allows(action, resource));
  }

  List<Statement> statementsFor(String action) {
    return statements.stream().filter(s -> s.actions().contains(action)).toList();
  }

  /** The IAM action an SDK operation is authorized as: batch calls check their single-entry action. */
  static String iamAction(String service, String operation) {
    Map<String, String> batches = Map.of(
        "DeleteMessageBatch", "DeleteMessage",
        "ChangeMessageVisibilityBatch", "ChangeMessageVisibility",
        "SendMessageBatch", "SendMessage");
    return service + ":" + batches.getOrDefault(operation, operation);
  }
}
