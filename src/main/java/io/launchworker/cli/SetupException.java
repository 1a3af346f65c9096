package io.launchworker.cli;

/**
 * The command cannot work as set up: no region or credentials, an endpoint that does not answer, a queue that
 * does not exist, a port already taken. The message is one line saying what to set, naming the flag, variable
 * or key the user gave; the command line prints it after the command's name and exits with code 2.
 */
final class SetupException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  SetupException(String message, Throwable cause) {
    super(message, cause);
  }
}
