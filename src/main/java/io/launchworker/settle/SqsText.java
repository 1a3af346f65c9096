package io.launchworker.settle;

/**
 * Text the worker writes to SQS, made acceptable to it. SQS refuses a message whose body or attribute holds a
 * character outside {@code #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF} (so U+FFFE, U+FFFF and lone
 * surrogates, all of which a JSON escape can produce), and counts every attribute's name, type and value
 * towards the queue's {@code MaximumMessageSize}. Stateless; thread-safe.
 */
final class SqsText {
  /** Marks text that was cut short; three UTF-8 bytes. */
  static final String CUT = "…";
  /** SQS's default and, for years, its largest {@code MaximumMessageSize}: the safe guess when it is unknown. */
  static final int DEFAULT_MAX_MESSAGE_BYTES = 262_144;
  /** The data type every attribute the worker writes carries. */
  static final String STRING_TYPE = "String";

  private SqsText() {}

  /** Whether SQS accepts the code point; a lone surrogate is not a character and is refused. */
  static boolean allowed(int codePoint) {
    return codePoint == 0x9 || codePoint == 0xA || codePoint == 0xD
        || (codePoint >= 0x20 && codePoint <= 0xD7FF)
        || (codePoint >= 0xE000 && codePoint <= 0xFFFD)
        || (codePoint >= 0x10000 && codePoint <= 0x10FFFF);
  }

  /**
   * The text with every character SQS refuses written visibly as {@code \}{@code uXXXX} (one per UTF-16 unit
   * for a lone surrogate); allowed text comes back unchanged, the same instance.
   */
  static String escape(String text) {
    int first = firstRefused(text);
    if (first < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, first);
    for (int i = first; i < text.length(); ) {
      int c = text.codePointAt(i);
      if (allowed(c)) {
        out.appendCodePoint(c);
      } else {
        out.append(String.format("\\u%04X", c));
      }
      i += Character.charCount(c);
    }
    return out.toString();
  }

  /**
   * The escaped text in at most {@code maxBytes} UTF-8 bytes: cut at a character boundary and ended with
   * {@link #CUT} when it is longer. Empty when not even the mark fits.
   */
  static String bounded(String text, int maxBytes) {
    String safe = escape(text);
    if (utf8Length(safe) <= maxBytes) {
      return safe;
    }
    int budget = maxBytes - utf8Length(CUT);
    if (budget < 0) {
      return "";
    }
    int used = 0;
    int end = 0;
    while (end < safe.length()) {
      int c = safe.codePointAt(end);
      int bytes = utf8Length(c);
      if (used + bytes > budget) {
        break;
      }
      used += bytes;
      end += Character.charCount(c);
    }
    return safe.substring(0, end) + CUT;
  }

  /** Bytes of the text in UTF-8, as SQS counts them (escaped text has no lone surrogates). */
  static int utf8Length(String text) {
    int bytes = 0;
    for (int i = 0; i < text.length(); ) {
      int c = text.codePointAt(i);
      bytes += utf8Length(c);
      i += Character.charCount(c);
    }
    return bytes;
  }

  /** What one String attribute adds to a message's size: its name, its data type and its value. */
  static int attributeBytes(String name, String value) {
    return utf8Length(name) + utf8Length(STRING_TYPE) + utf8Length(value);
  }

  private static int firstRefused(String text) {
    for (int i = 0; i < text.length(); ) {
      int c = text.codePointAt(i);
      if (!allowed(c)) {
        return i;
      }
      i += Character.charCount(c);
    }
    return -1;
  }

  private static int utf8Length(int codePoint) {
    if (codePoint < 0x80) {
      return 1;
    }
    if (codePoint < 0x800) {
      return 2;
    }
    return codePoint < 0x10000 ? 3 : 4;
  }
}
