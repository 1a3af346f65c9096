package io.launchworker.sandbox.ec2;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The parameters of one EC2 Query request ({@code Action=…&Version=…&Name.1=…}), with helpers for the
 * protocol's numbered lists ({@code SecurityGroupId.N}) and structures ({@code Filter.N.Name}). Immutable.
 */
final class QueryRequest {
  /** Not part of what a ClientToken stands for: a token used with DryRun=false replays without the flag too. */
  private static final List<String> NOT_CANONICAL = List.of("Action", "Version", "ClientToken", "DryRun");

  private final Map<String, String> params;

  private QueryRequest(Map<String, String> params) {
    this.params = params;
  }

  /** Parses a form-encoded body; later duplicates of a key win. */
  static QueryRequest parse(String formBody) {
    Map<String, String> params = new LinkedHashMap<>();
    if (formBody != null && !formBody.isEmpty()) {
      for (String pair : formBody.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String key = eq < 0 ? pair : pair.substring(0, eq);
        String value = eq < 0 ? "" : pair.substring(eq + 1);
        params.put(decode(key), decode(value));
      }
    }
    return new QueryRequest(params);
  }

  private static String decode(String text) {
    return URLDecoder.decode(text, StandardCharsets.UTF_8);
  }

  String get(String key) {
    return params.get(key);
  }

  boolean has(String key) {
    return params.containsKey(key);
  }

  /** The integer value of key, or null when absent; a non-number is {@code InvalidParameterValue}. */
  Integer integer(String key) {
    String value = params.get(key);
    if (value == null) {
      return null;
    }
    try {
      return Integer.valueOf(value.trim());
    } catch (NumberFormatException e) {
      throw Ec2Error.invalidValue("Value (" + value + ") for parameter " + key + " is invalid. Expected an integer.");
    }
  }

  /** Values of {@code prefix.1}, {@code prefix.2}, … ordered by index. */
  List<String> list(String prefix) {
    SortedMap<Integer, String> byIndex = new TreeMap<>();
    String start = prefix + ".";
    params.forEach((key, value) -> {
      if (key.startsWith(start)) {
        Integer index = index(key.substring(start.length()));
        if (index != null) {
          byIndex.put(index, value);
        }
      }
    });
    return new ArrayList<>(byIndex.values());
  }

  /** Structures {@code prefix.N.rest=value} as sub-requests keyed {@code rest}, ordered by N. */
  List<QueryRequest> members(String prefix) {
    SortedMap<Integer, Map<String, String>> byIndex = new TreeMap<>();
    String start = prefix + ".";
    params.forEach((key, value) -> {
      if (key.startsWith(start)) {
        String rest = key.substring(start.length());
        int dot = rest.indexOf('.');
        Integer index = dot < 0 ? null : index(rest.substring(0, dot));
        if (index != null) {
          byIndex.computeIfAbsent(index, i -> new LinkedHashMap<>()).put(rest.substring(dot + 1), value);
        }
      }
    });
    return byIndex.values().stream().map(QueryRequest::new).collect(Collectors.toList());
  }

  private static Integer index(String text) {
    try {
      return Integer.valueOf(text);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /**
   * The request's identity for ClientToken comparison: every parameter except Action, Version, ClientToken
   * and DryRun, sorted by name.
   */
  String canonical() {
    TreeMap<String, String> sorted = new TreeMap<>(params);
    NOT_CANONICAL.forEach(sorted::remove);
    return sorted.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining("\n"));
  }
}
