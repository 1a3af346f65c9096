package io.launchworker.cli;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import io.launchworker.ops.MaskingPatternLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * The sandbox's log lines go to a file it names instead of the terminal, so its demo table reads clean: the demo's
 * lost answer and its retry ("RETRY network_error") are log lines a newcomer would read as real failures. Closing
 * gives the console its lines back. Used on the command's thread only.
 */
final class SandboxLog implements AutoCloseable {
  /** The readable format of the other commands' console (see logback.xml). */
  private static final String PATTERN =
      "%d{yyyy-MM-dd'T'HH:mm:ss.SSSX,UTC} %-5level [%thread] %logger{24} - %msg %kvp %mdc%n";

  private final Logger root;
  private final List<Appender<ILoggingEvent>> consoles;
  private final FileAppender<ILoggingEvent> file;

  private SandboxLog(Logger root, List<Appender<ILoggingEvent>> consoles, FileAppender<ILoggingEvent> file) {
    this.root = root;
    this.consoles = consoles;
    this.file = file;
  }

  /** Moves the root logger's console output to {@code path} (appended to). */
  static SandboxLog toFile(Path path) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    MaskingPatternLayout layout = new MaskingPatternLayout();
    layout.setContext(context);
    layout.setPattern(PATTERN);
    layout.start();
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setContext(context);
    encoder.setLayout(layout);
    encoder.start();
    FileAppender<ILoggingEvent> file = new FileAppender<>();
    file.setContext(context);
    file.setName("sandbox-file");
    file.setFile(path.toString());
    file.setEncoder(encoder);
    file.start();
    root.addAppender(file);
    List<Appender<ILoggingEvent>> consoles = new ArrayList<>();
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      Appender<ILoggingEvent> appender = it.next();
      if (appender instanceof ConsoleAppender) {
        consoles.add(appender);
      }
    }
    consoles.forEach(root::detachAppender);
    return new SandboxLog(root, consoles, file);
  }

  @Override
  public void close() {
    consoles.forEach(root::addAppender);
    root.detachAppender(file);
    file.stop();
  }
}
