package io.launchworker.cli;

import java.net.BindException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/**
 * Why the admin server could not listen, as the one line that says what to change: the port (taken, or
 * privileged) or the address (not this machine's). Stateless.
 */
final class AdminBind {
  private AdminBind() {}

  /**
   * @param where {@code host:port} it tried
   * @param portAdvice what to set instead, naming the flag, variable or key the port came from
   * @param hostAdvice the same for the address
   * @return empty when the failure was not about listening
   */
  static Optional<SetupException> explain(RuntimeException failure, String where, String portAdvice,
      String hostAdvice) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof UnknownHostException) {
        return Optional.of(new SetupException("admin server cannot listen on " + where + ": unknown host; "
            + hostAdvice, failure));
      }
      if (t instanceof BindException) {
        String reason = String.valueOf(t.getMessage());
        String lower = reason.toLowerCase(Locale.ROOT);
        String line = lower.contains("in use") ? "port in use; " + portAdvice
            : lower.contains("assign") ? "not an address of this machine; " + hostAdvice
            : reason + "; " + portAdvice;
        return Optional.of(new SetupException("admin server cannot listen on " + where + ": " + line, failure));
      }
    }
    return Optional.empty();
  }
}
