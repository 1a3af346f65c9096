package io.launchworker.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.slf4j.LoggerFactory;

/** Captures every log line of the JVM, with the worker's loggers at DEBUG, until closed. */
public final class LogCapture implements AutoCloseable {
  private final LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private final OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
  private final Level outcomeLevel;

  public LogCapture() {
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(logging);
    encoder.setPattern("%level %logger %msg %kvp %mdc %ex%n");
    encoder.start();
    appender.setContext(logging);
    appender.setEncoder(encoder);
    appender.setOutputStream(captured);
    appender.start();
    logging.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(appender);
    outcomeLevel = logging.getLogger("io.launchworker.outcome").getLevel();
    logging.getLogger("io.launchworker").setLevel(Level.DEBUG);
    logging.getLogger("io.launchworker.outcome").setLevel(Level.DEBUG);
  }

  public String text() {
    synchronized (captured) {
      return captured.toString(StandardCharsets.UTF_8);
    }
  }

  /** Lines containing {@code fragment}. */
  public long count(String fragment) {
    return text().lines().filter(line -> line.contains(fragment)).count();
  }

  @Override
  public void close() {
    logging.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(appender);
    appender.stop();
    logging.getLogger("io.launchworker").setLevel(null);
    logging.getLogger("io.launchworker.outcome").setLevel(outcomeLevel);
  }
}
