package io.launchworker.bench;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * The workers under test, in this JVM or as child processes. Measurements are taken before {@link #close()}.
 * Used by one thread, the benchmark's.
 */
interface Fleet extends AutoCloseable {

  /** Start-up time of the slowest worker, and what it spans. */
  Duration startup();

  String startupMeasure();

  /** Worker CPU time since start, and how it was measured. */
  Duration cpu();

  String cpuMeasure();

  /** Peak heap in bytes, when known. */
  OptionalLong peakHeapBytes();

  /** Peak resident set (VmHWM) in bytes of the largest worker process, and current RSS (VmRSS). */
  long peakRssBytes();

  long rssBytes();

  String memoryMeasure();

  /** Stops the workers gracefully. */
  @Override
  void close();
}
