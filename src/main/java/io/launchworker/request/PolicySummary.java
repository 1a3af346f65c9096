package io.launchworker.request;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The effective policy in one line, as {@code sandbox} prints it and {@code run} logs it at start: what a request must,
 * may and may not ask for. Lists that allow anything ({@link LaunchPolicy#ANY}) and lists that allow nothing (empty)
 * are grouped, so an operator sees at a glance what is open and what is shut. Stateless.
 */
public final class PolicySummary {
  private PolicySummary() {}

  public static String of(LaunchPolicy p, LaunchDefaults defaults) {
    List<String> parts = new ArrayList<>();
    if (LaunchPolicy.allowsAll(p.allowedInstanceTypes())) {
      parts.add("any instance type");
    } else if (p.allowedInstanceTypes().isEmpty()) {
      parts.add("no instance types (allowed-instance-types is empty)");
    } else {
      parts.add("instance types " + String.join(", ", p.allowedInstanceTypes())
          + defaults.instanceType().map(d -> " (default " + d + ")").orElse(" (instanceType required)"));
    }
    parts.add(p.allowedLaunchTemplates().isEmpty() ? "no launch templates"
        : LaunchPolicy.allowsAll(p.allowedLaunchTemplates()) ? "any launch template"
        : "launch templates " + String.join(", ", p.allowedLaunchTemplates()));
    Map<String, List<String>> lists = new LinkedHashMap<>();
    lists.put("images", p.allowedImageIds());
    lists.put("subnets", p.allowedSubnetIds());
    lists.put("security groups", p.allowedSecurityGroupIds());
    lists.put("key pairs", p.allowedKeyNames());
    lists.put("instance profiles", p.allowedInstanceProfiles());
    List<String> any = new ArrayList<>();
    List<String> none = new ArrayList<>();
    lists.forEach((name, allowed) -> {
      if (LaunchPolicy.allowsAll(allowed)) {
        any.add(name);
      } else if (allowed.isEmpty()) {
        none.add(name);
      } else {
        parts.add(name + " " + String.join(", ", allowed));
      }
    });
    if (!any.isEmpty()) {
      parts.add(String.join(", ", any) + ": any");
    }
    if (!none.isEmpty()) {
      parts.add(String.join(", ", none) + ": none");
    }
    parts.add(p.allowedMarkets().isEmpty() ? "no market"
        : "markets " + String.join(", ", p.allowedMarkets().stream().map(Market::wire).toList()));
    parts.add(p.allowedTagKeys().isEmpty() ? "any tag key" : "tag keys " + String.join(", ", p.allowedTagKeys()));
    parts.add(p.requireEncryptedVolumes() ? "root volumes encrypted" : "unencrypted root volumes allowed");
    parts.add("at most " + p.maxInstancesPerRequest() + " instances a request and " + p.maxInstancesPerHour()
        + " an hour");
    return String.join("; ", parts);
  }
}
