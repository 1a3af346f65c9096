package io.launchworker.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads a process's memory from Linux's {@code /proc/PID/status}: {@code VmHWM} (peak resident set) and
 * {@code VmRSS} (current). Where /proc does not exist the figures are 0. Stateless and thread-safe.
 */
record ProcStatus(long peakRssBytes, long rssBytes) {

  static ProcStatus self() {
    return of(Path.of("/proc/self/status"));
  }

  static ProcStatus of(long pid) {
    return of(Path.of("/proc", Long.toString(pid), "status"));
  }

  private static ProcStatus of(Path status) {
    try {
      List<String> lines = Files.readAllLines(status);
      return new ProcStatus(kilobytes(lines, "VmHWM:") * 1024, kilobytes(lines, "VmRSS:") * 1024);
    } catch (IOException e) {
      return new ProcStatus(0, 0);
    }
  }

  private static long kilobytes(List<String> lines, String key) {
    for (String line : lines) {
      if (line.startsWith(key)) {
        return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
      }
    }
    return 0;
  }
}
