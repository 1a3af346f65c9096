package io.launchworker.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Loads a page in Debian's headless {@code chromium} and gives back the DOM its scripts left behind, with what
 * Chromium logged to the console. The page runs on virtual time, so its timers fire without real waiting.
 */
public final class HeadlessChromium {
  /** Real time Chromium gets; it takes about 1-2 s on the 2-core build machine. */
  private static final long TIMEOUT_SECONDS = 60;

  private final Path executable;
  private final Path dir;
  private int loads;

  /** What one load left: the DOM and the console lines Chromium logged. */
  public record Page(String dom, String consoleOutput) {}

  private HeadlessChromium(Path executable, Path dir) {
    this.executable = executable;
    this.dir = dir;
  }

  /** Chromium from PATH, keeping its profile and logs under {@code dir}; empty when none is installed. */
  public static Optional<HeadlessChromium> find(Path dir) {
    String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
    return Stream.of(path.split(File.pathSeparator))
        .flatMap(d -> Stream.of("chromium", "chromium-browser").map(name -> Path.of(d, name)))
        .filter(Files::isExecutable).findFirst().map(found -> new HeadlessChromium(found, dir));
  }

  /** Why a test skips without Chromium. */
  public static String missing(String what) {
    return "skipped: no chromium on PATH (" + System.getenv("PATH") + "); install Debian's `chromium` package "
        + "(.ci/run does) to run " + what;
  }

  /** Loads {@code url}, lets its scripts run for {@code virtualMillis} of virtual time and dumps the DOM. */
  public Page load(String url, int virtualMillis) throws IOException, InterruptedException {
    int n = ++loads;
    Path out = dir.resolve("dom-" + n + ".html");
    Path err = dir.resolve("chromium-" + n + ".log");
    Process process = new ProcessBuilder(executable.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--user-data-dir=" + dir.resolve("profile"), "--enable-logging=stderr", "--v=0",
        "--virtual-time-budget=" + virtualMillis, "--dump-dom", url)
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail("chromium did not finish within " + TIMEOUT_SECONDS + " s; its log:\n" + Files.readString(err));
    }
    String dom = Files.readString(out, StandardCharsets.UTF_8);
    String console = Files.readAllLines(err, StandardCharsets.UTF_8).stream()
        .filter(line -> line.contains(":CONSOLE")).reduce("", (a, b) -> a + b + "\n");
    assertThat(process.exitValue()).as("chromium exit code; log:\n%s", Files.readString(err)).isZero();
    assertThat(dom).as("dumped DOM").contains("</html>");
    return new Page(dom, console);
  }
}
