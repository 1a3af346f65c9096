package io.launchworker.config;

/**
 * A configuration value the worker cannot start with. The message is one line naming the key, the value,
 * where it came from and what is allowed; the CLI prints it and exits with code 2.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
