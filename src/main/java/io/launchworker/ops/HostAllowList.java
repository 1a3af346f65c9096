package io.launchworker.ops;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The Host header values the admin server answers, against DNS rebinding: a page on a name an attacker controls,
 * re-pointed at this address, would otherwise read {@code /status.json} and {@code /metrics} through a browser
 * that can reach the port. The rebound request still names the attacker's host, so only these are answered:
 * <ul>
 *   <li>always {@code localhost}, {@code 127.0.0.1}, {@code [::1]}, the configured host and the address bound;
 *   <li>the names of {@code launcher.admin.allowed-hosts};
 *   <li>bound to every interface ({@code 0.0.0.0} or {@code ::}), any IP literal: kubelet probes and Prometheus
 *       address a pod by its IP, and a page whose origin is an IP literal cannot be rebound.
 * </ul>
 * Any port goes with an allowed host: a published port ({@code 127.0.0.1:19400:9400}) differs from the one bound.
 * A request without a Host header (HTTP/1.0) is answered: browsers always send one.
 *
 * <p>Immutable and thread-safe; never resolves a name.
 */
final class HostAllowList {
  private static final Pattern IPV4 = Pattern.compile(
      "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
  private static final Pattern IPV6_IN_BRACKETS = Pattern.compile("\\[[0-9a-fA-F:.]+]");
  private static final Pattern PORT = Pattern.compile("\\d{1,5}");

  private final Set<String> names;
  private final Set<InetAddress> addresses;
  private final boolean anyAddress;

  private HostAllowList(Set<String> names, Set<InetAddress> addresses, boolean anyAddress) {
    this.names = Set.copyOf(names);
    this.addresses = Set.copyOf(addresses);
    this.anyAddress = anyAddress;
  }

  /**
   * @param configuredHost the host as configured ({@code launcher.admin.host}), a name or an address
   * @param bound the address the server listens on
   * @param allowedNames further host names, as validated by the configuration
   */
  static HostAllowList forServer(String configuredHost, InetAddress bound, Collection<String> allowedNames) {
    Set<String> names = new HashSet<>();
    Set<InetAddress> addresses = new HashSet<>();
    names.add("localhost");
    addresses.add(literal("127.0.0.1").orElseThrow());
    addresses.add(literal("[::1]").orElseThrow());
    allowedNames.forEach(n -> names.add(n.toLowerCase(Locale.ROOT)));
    String configured = configuredHost.contains(":") && !configuredHost.startsWith("[")
        ? "[" + configuredHost + "]" : configuredHost;
    literal(configured).ifPresentOrElse(addresses::add, () -> names.add(configured.toLowerCase(Locale.ROOT)));
    if (!bound.isAnyLocalAddress()) {
      addresses.add(bound);
    }
    return new HostAllowList(names, addresses, bound.isAnyLocalAddress());
  }

  /** Whether a request with this Host header value ({@code null} when absent) may be answered. */
  boolean allows(String hostHeader) {
    if (hostHeader == null) {
      return true;
    }
    Optional<String> host = withoutPort(hostHeader.trim());
    if (host.isEmpty()) {
      return false;
    }
    Optional<InetAddress> address = literal(host.get());
    if (address.isPresent()) {
      return anyAddress || addresses.contains(address.get());
    }
    return names.contains(host.get().toLowerCase(Locale.ROOT));
  }

  /** The host of {@code host[:port]} or {@code [v6][:port]}; empty when malformed or the port is no port. */
  private static Optional<String> withoutPort(String value) {
    String host;
    String port;
    if (value.startsWith("[")) {
      int close = value.indexOf(']');
      if (close < 0) {
        return Optional.empty();
      }
      host = value.substring(0, close + 1);
      String rest = value.substring(close + 1);
      if (rest.isEmpty()) {
        return Optional.of(host);
      }
      if (!rest.startsWith(":")) {
        return Optional.empty();
      }
      port = rest.substring(1);
    } else {
      int colon = value.indexOf(':');
      if (colon < 0) {
        return value.isEmpty() ? Optional.empty() : Optional.of(value);
      }
      host = value.substring(0, colon);
      port = value.substring(colon + 1);
    }
    boolean validPort = PORT.matcher(port).matches() && Integer.parseInt(port) <= 65_535;
    return host.isEmpty() || !validPort ? Optional.empty() : Optional.of(host);
  }

  /** The address an IP literal (dotted IPv4 or bracketed IPv6) stands for; empty for a name. */
  private static Optional<InetAddress> literal(String host) {
    if (!IPV4.matcher(host).matches() && !IPV6_IN_BRACKETS.matcher(host).matches()) {
      return Optional.empty();
    }
    try {
      // A literal is parsed, never looked up; a malformed bracketed one fails without asking DNS.
      return Optional.of(InetAddress.getByName(host));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }
}
