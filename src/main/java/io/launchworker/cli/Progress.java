package io.launchworker.cli;

import java.io.PrintWriter;

/**
 * How far {@code enqueue} has got. A bar on stderr when a person is watching a long run, nothing otherwise.
 * Not thread-safe: the sending thread owns it.
 */
interface Progress {
  /** Runs shorter than this finish before a bar would be worth reading. */
  int BAR_THRESHOLD = 100;

  void advance(int done);

  void finish();

  static Progress none() {
    return new Progress() {
      @Override
      public void advance(int done) {}

      @Override
      public void finish() {}
    };
  }

  /** A bar when stderr is a terminal and there are more than {@link #BAR_THRESHOLD} requests. */
  static Progress choose(boolean terminal, int total, PrintWriter err) {
    return terminal && total > BAR_THRESHOLD ? new Bar(err, total) : none();
  }

  /** {@code \r[#########           ] 450/1000}, redrawn in place. */
  final class Bar implements Progress {
    static final int WIDTH = 30;
    private final PrintWriter err;
    private final int total;
    private int done;

    Bar(PrintWriter err, int total) {
      this.err = err;
      this.total = total;
    }

    @Override
    public void advance(int count) {
      done = Math.min(total, done + count);
      err.print("\r" + render(done, total));
      err.flush();
    }

    @Override
    public void finish() {
      err.println();
      err.flush();
    }

    static String render(int done, int total) {
      int filled = total == 0 ? WIDTH : (int) ((long) done * WIDTH / total);
      return "[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + done + "/" + total;
    }
  }
}
