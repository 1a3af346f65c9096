package io.launchworker.ops;

import com.fasterxml.jackson.core.JsonStreamContext;
import net.logstash.logback.mask.ValueMasker;

/** The JSON log format's masker: every string value (message, MDC, key-values, stack trace) through {@link Secrets}. */
public final class SecretValueMasker implements ValueMasker {
  @Override
  public Object mask(JsonStreamContext context, Object value) {
    if (value instanceof CharSequence text) {
      String original = text.toString();
      String masked = Secrets.mask(original);
      return masked.equals(original) ? null : masked;
    }
    return null;
  }
}
