package io.launchworker.it;

import io.launchworker.testing.LocalProcesses;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * {@code moto_server -H 127.0.0.1 -p PORT}: one third-party endpoint serving SQS and EC2, as a separate process,
 * its output in a file. Started on a free loopback port; closing it kills it. Not thread-safe.
 */
final class MotoServer implements AutoCloseable {
  /** moto imports every service it emulates before it listens: a few seconds on a busy machine. */
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final Path log;
  private final URI endpoint;

  private MotoServer(Process process, Path log, URI endpoint) {
    this.process = process;
    this.log = log;
    this.endpoint = endpoint;
  }

  /** Starts moto_server and returns once it accepts connections. */
  static MotoServer start(Path workDir) throws IOException {
    int port = LocalProcesses.freePort();
    Path log = workDir.resolve("moto.log");
    Process process = new ProcessBuilder("moto_server", "-H", "127.0.0.1", "-p", Integer.toString(port))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    MotoServer moto = new MotoServer(process, log, URI.create("http://127.0.0.1:" + port));
    try {
      await("moto_server listening on port " + port).atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(100))
          .until(() -> {
            if (!process.isAlive()) {
              throw new IllegalStateException("moto_server exited: " + Files.readString(log));
            }
            return LocalProcesses.accepts(port);
          });
    } catch (RuntimeException e) {
      moto.close();
      throw e;
    }
    return moto;
  }

  URI endpoint() {
    return endpoint;
  }

  /** What moto printed (one line per request it served), for failure messages. */
  String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no output: " + e + ")";
    }
  }

  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

}
