package io.launchworker.ops;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Credentials in URLs never reach a log line, in either format, nor printed configuration or errors. */
class SecretMaskingTest {
  private static final String LEAKY = "could not reach https://admin:hunter2@sqs.internal:8443/q and "
      + "https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIAEXAMPLE%2F20261130&X-Amz-Security-Token=FQoGZXIvYXdzEXAMPLE"
      + "&X-Amz-Signature=9f1c0ffee";

  @Test
  void credentialsAndPresignedParametersAreMasked() {
    String masked = Secrets.mask(LEAKY);

    assertThat(masked).doesNotContain("hunter2", "admin:", "FQoGZXIvYXdzEXAMPLE", "9f1c0ffee", "AKIAEXAMPLE")
        .contains("https://****@sqs.internal:8443/q", "X-Amz-Security-Token=****", "X-Amz-Signature=****");
    assertThat(Secrets.mask("http://localhost:9324/queue/a")).isEqualTo("http://localhost:9324/queue/a");
  }

  @Test
  void signedParametersAreMaskedInAnyLetterCaseAndPlainTextComesBackAsItWas() {
    assertThat(Secrets.mask("GET /k?x-amz-signature=9f1c0ffee&X-AMZ-CREDENTIAL=AKIAEXAMPLE"))
        .isEqualTo("GET /k?x-amz-signature=****&X-AMZ-CREDENTIAL=****");
    assertThat(Secrets.mask("ftp://user:pw@host/x")).isEqualTo("ftp://****@host/x");
    String plain = "LAUNCHED ok: launched r-0123 i-0456 (user@example.com)";
    assertThat(Secrets.mask(plain)).isSameAs(plain);
  }

  @Test
  void printedConfigurationMasksSecretKeysToo() {
    String masked = Secrets.maskConfiguration("{\n  \"token-key\" : \"0123456789abcdef0123456789abcdef\",\n"
        + "  \"sqs-endpoint\" : \"http://u:p@h/\"\n}");

    assertThat(masked).doesNotContain("0123456789abcdef", "u:p@").contains("\"token-key\" : \"****\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"json", "text"})
  void everyLogLineOfTheShippedConfigurationIsMaskedMessageAndStackTraceAlike(String format) throws Exception {
    LoggerContext context = new LoggerContext();
    context.putProperty("launcher.log.format", format);
    context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(SecretMaskingTest.class.getResource("/logback.xml"));
    Logger logger = context.getLogger("io.launchworker.test");
    // The shipped appender's own encoder, as it would write to the console.
    @SuppressWarnings("unchecked")
    OutputStreamAppender<ILoggingEvent> appender = (OutputStreamAppender<ILoggingEvent>)
        context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(format);
    LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, Level.WARN, "send failed: {}",
        new IllegalStateException("endpoint https://admin:hunter2@sqs.internal/"), new Object[] {LEAKY});
    String out = new String(appender.getEncoder().encode(event), StandardCharsets.UTF_8);
    context.stop();

    assertThat(out).contains("send failed", "IllegalStateException", "****");
    assertThat(out).doesNotContain("hunter2", "FQoGZXIvYXdzEXAMPLE", "9f1c0ffee");
  }
}
