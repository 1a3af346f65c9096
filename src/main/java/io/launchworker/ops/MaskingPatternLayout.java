package io.launchworker.ops;

import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;

/** The text log format's layout: the whole line, stack trace included, with {@link Secrets#mask} applied. */
public final class MaskingPatternLayout extends PatternLayout {
  @Override
  public String doLayout(ILoggingEvent event) {
    return Secrets.mask(super.doLayout(event));
  }
}
