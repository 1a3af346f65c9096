package io.launchworker.cli;

/**
 * A request to stop that may arrive while a command works, such as Ctrl-C ({@link CtrlC}); watched from
 * creation until {@link #close()}. Tests supply one that asks to stop at a chosen moment.
 */
interface StopRequest extends AutoCloseable {
  /** True once a stop was asked for. */
  boolean requested();

  /** Stops watching: Ctrl-C does again what it did before. */
  @Override
  void close();
}
