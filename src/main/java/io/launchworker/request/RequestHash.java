package io.launchworker.request;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The identity of a launch request: lowercase hex SHA-256 of its canonical JSON, written on every instance as
 * {@link LaunchTags#REQUEST_HASH}. Two bodies that differ only in key order or whitespace hash the same; any
 * difference in a field's value (including {@code clientToken} and tag values) gives another hash. Configuration
 * defaults take no part, and neither does {@code requestId}: it is for tracing only, never sent to EC2, and a
 * producer resending one launch under one {@code clientToken} with a new tracing ID must not look like a conflict.
 *
 * <p>The canonical form is a stored contract: hashes written by an older release are compared with hashes
 * computed by a newer one, so changing it turns in-flight retries into conflicts. It is pinned by a test.
 *
 * <p>The canonical form: an object with keys sorted, absent optional fields left out, {@code minCount},
 * {@code maxCount} and {@code launchTemplate.version} always present (defaults applied), {@code tags} sorted by
 * key, {@code securityGroupIds}, {@code instanceTypes} and {@code subnetIds} in request order, {@code rootVolume}
 * with its type and encryption defaults applied, empty lists and maps left out; compact UTF-8 JSON.
 *
 * <p>Stateless and thread-safe.
 */
public final class RequestHash {
  private static final ObjectMapper JSON = new ObjectMapper();

  private RequestHash() {}

  public static String of(LaunchRequest r) {
    try {
      byte[] canonical = JSON.writeValueAsBytes(canonical(r));
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
    } catch (JsonProcessingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot hash a launch request", e);
    }
  }

  /** Package-private for the test that pins the format. */
  static String canonicalJson(LaunchRequest r) {
    try {
      return new String(JSON.writeValueAsBytes(canonical(r)), StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a launch request", e);
    }
  }

  private static SortedMap<String, Object> canonical(LaunchRequest r) {
    SortedMap<String, Object> m = new TreeMap<>();
    put(m, "imageId", r.imageId());
    r.launchTemplate().ifPresent(t -> {
      SortedMap<String, Object> template = new TreeMap<>();
      put(template, "id", t.id());
      put(template, "name", t.name());
      template.put("version", t.version());
      m.put("launchTemplate", template);
    });
    put(m, "instanceType", r.instanceType());
    m.put("minCount", r.minCount());
    m.put("maxCount", r.maxCount());
    put(m, "subnetId", r.subnetId());
    if (!r.securityGroupIds().isEmpty()) {
      m.put("securityGroupIds", List.copyOf(r.securityGroupIds()));
    }
    put(m, "keyName", r.keyName());
    r.iamInstanceProfile().ifPresent(p -> {
      SortedMap<String, Object> profile = new TreeMap<>();
      put(profile, "arn", p.arn());
      put(profile, "name", p.name());
      m.put("iamInstanceProfile", profile);
    });
    put(m, "userData", r.userData());
    if (!r.tags().isEmpty()) {
      m.put("tags", new TreeMap<>(r.tags()));
    }
    put(m, "clientToken", r.clientToken());
    // Added with capacity-aware launches; left out when absent, so hashes of older requests stay as they were.
    if (!r.instanceTypes().isEmpty()) {
      m.put("instanceTypes", List.copyOf(r.instanceTypes()));
    }
    if (!r.subnetIds().isEmpty()) {
      m.put("subnetIds", List.copyOf(r.subnetIds()));
    }
    r.market().ifPresent(market -> m.put("market", market.wire()));
    put(m, "spotMaxPrice", r.spotMaxPrice());
    r.rootVolume().ifPresent(v -> {
      SortedMap<String, Object> volume = new TreeMap<>();
      v.sizeGiB().ifPresent(size -> volume.put("sizeGiB", size));
      volume.put("type", v.type());
      volume.put("encrypted", v.encrypted());
      put(volume, "deviceName", v.deviceName());
      m.put("rootVolume", volume);
    });
    return m;
  }

  private static void put(Map<String, Object> m, String key, Optional<String> value) {
    value.ifPresent(v -> m.put(key, v));
  }
}
