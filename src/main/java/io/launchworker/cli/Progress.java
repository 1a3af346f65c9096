package io.launchworker.cli;

import java.io.PrintWriter;

/**
 * How far {@code enqueue} has got. A bar on stderr when a person is watching a long run, nothing otherwise. Every
 * line the command prints while the bar is shown goes through {@link #println}, which takes the bar off its
 * line first and draws it again below, so stdout and stderr lines never land on the bar's line (both reach the
 * same terminal). Not thread-safe: the sending thread owns it.
 */
interface Progress {
  /** Runs shorter than this finish before a bar would be worth reading. */
  int BAR_THRESHOLD = 100;

  void advance(int done);

  /** Prints one whole line to {@code to} (stdout or stderr), flushed. */
  void println(PrintWriter to, String line);

  /** Leaves the bar, if any, on its own finished line. */
  void finish();

  static Progress none() {
    return new Progress() {
      @Override
      public void advance(int done) {}

      @Override
      public void println(PrintWriter to, String line) {
        to.println(line);
        to.flush();
      }

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
    /** Characters of the bar now on the screen's last line; 0 when none is. */
    private int shown;

    Bar(PrintWriter err, int total) {
      this.err = err;
      this.total = total;
    }

    @Override
    public void advance(int count) {
      done = Math.min(total, done + count);
      draw();
    }

    @Override
    public void println(PrintWriter to, String line) {
      boolean wasShown = shown > 0;
      if (wasShown) {
        err.print("\r" + " ".repeat(shown) + "\r");
        err.flush();
        shown = 0;
      }
      to.println(line);
      to.flush();
      if (wasShown) {
        draw();
      }
    }

    @Override
    public void finish() {
      if (shown > 0) {
        err.println();
        err.flush();
        shown = 0;
      }
    }

    private void draw() {
      String bar = render(done, total);
      err.print("\r" + bar);
      err.flush();
      shown = bar.length();
    }

    static String render(int done, int total) {
      int filled = total == 0 ? WIDTH : (int) ((long) done * WIDTH / total);
      return "[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + done + "/" + total;
    }
  }
}
