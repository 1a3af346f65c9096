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
 * character). {@link #allows(String, String)} ignores conditions; {@link #allows(String, String, Map)} also
 * evaluates them against a request context, for the operators the policy uses: {@code StringEquals} (any of the
 * policy's values equals any of the context's), {@code StringLike} (the same with {@code *} and {@code ?} wildcards),
 * {@code Bool} (as {@code StringEquals}), {@code NumericLessThanEquals} (a number at most the policy's) and
 * {@code Null} ({@code "false"}: the key is present). A key the context lacks fails every operator but {@code Null},
 * as in IAM. Keys of one operator, and operators of one statement, must all hold; an operator it does not know fails.
 */
record IamPolicy(List<Statement> statements) {
  static final Path FILE = Path.of("docker", "iam-policy.json");

  record Statement(String sid, String effect, List<String> actions, List<String> resources, JsonNode condition) {
    boolean allows(String action, String resource) {
      return effect.equals("Allow") && actions.contains(action)
          && resources.stream().anyMatch(r -> glob(r).matcher(resource).matches());
    }

    /** Whether every condition holds for a request context (condition key to its values; absent = not in it). */
    boolean conditionsHold(Map<String, List<String>> context) {
      for (Map.Entry<String, JsonNode> operator : iterable(condition.fields())) {
        for (Map.Entry<String, JsonNode> key : iterable(operator.getValue().fields())) {
          List<String> expected = strings(key.getValue());
          List<String> actual = context.getOrDefault(key.getKey(), List.of());
          boolean holds = switch (operator.getKey()) {
            case "StringEquals", "Bool" -> actual.stream().anyMatch(expected::contains);
            case "StringLike" -> actual.stream().anyMatch(a -> expected.stream().anyMatch(e -> glob(e).matcher(a)
                .matches()));
            case "NumericLessThanEquals" -> !actual.isEmpty() && actual.stream().allMatch(
                a -> new java.math.BigDecimal(a).compareTo(new java.math.BigDecimal(expected.get(0))) <= 0);
            case "Null" -> expected.equals(List.of(String.valueOf(actual.isEmpty())));
            default -> false;
          };
          if (!holds) {
            return false;
          }
        }
      }
      return true;
    }

    private static <T> Iterable<T> iterable(java.util.Iterator<T> iterator) {
      return () -> iterator;
    }
  }

  static IamPolicy read() throws IOException {
    return read(Map.of());
  }

  /** The policy with its placeholders filled in, as an operator does: each key of {@code filled} by its value. */
  static IamPolicy read(Map<String, String> filled) throws IOException {
    String text = java.nio.file.Files.readString(FILE);
    for (Map.Entry<String, String> placeholder : filled.entrySet()) {
      text = text.replace("\"" + placeholder.getKey() + "\"", "\"" + placeholder.getValue() + "\"");
    }
    JsonNode root = new ObjectMapper().readTree(text);
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

  /** As {@link #allows(String, String)}, with the conditions of the matching statements evaluated on context. */
  boolean allows(String action, String resource, Map<String, List<String>> context) {
    return statements.stream().anyMatch(s -> s.allows(action, resource) && s.conditionsHold(context));
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
