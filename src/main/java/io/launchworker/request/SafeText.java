package io.launchworker.request;

/**
 * The characters that let text look other than it is: controls a terminal or log parser acts on, bidirectional
 * formatting that reorders what a reader sees (Trojan Source, CVE-2021-42574), and zero-width characters that
 * make two different values look the same. Request text may not contain them ({@link #firstRefused}); text
 * shown to people, in logs and on the status page, has them written visibly as {@code \}{@code uXXXX}
 * ({@link #escape}). Stateless and thread-safe.
 */
public final class SafeText {
  /** What a rejection says is allowed instead. */
  static final String ALLOWED = "no control, bidirectional-formatting or zero-width characters";

  private SafeText() {}

  /**
   * Whether request text may not contain the code point: C0 controls, DEL, C1 controls, the bidirectional
   * embeddings, overrides, isolates and marks, and the zero-width characters (space, joiners, word joiner, BOM).
   * The zero-width joiner also glues emoji sequences together; a tag value is no place for those.
   */
  static boolean refused(int c) {
    return c <= 0x1F
        || (c >= 0x7F && c <= 0x9F)
        || c == 0x061C
        || (c >= 0x200B && c <= 0x200F)
        || (c >= 0x202A && c <= 0x202E)
        || c == 0x2060
        || (c >= 0x2066 && c <= 0x2069)
        || c == 0xFEFF;
  }

  /**
   * Whether a reader must see the code point escaped: everything {@link #refused}, plus what is not a character
   * at all or breaks lines where a log line must not break: lone surrogates, the noncharacters U+FFFE and
   * U+FFFF, and the line and paragraph separators U+2028 and U+2029.
   */
  static boolean mustEscape(int c) {
    return refused(c)
        || (c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE)
        || c == 0xFFFE || c == 0xFFFF
        || c == 0x2028 || c == 0x2029;
  }

  /**
   * The text with every character of {@link #mustEscape} written as {@code \}{@code uXXXX} (uppercase hex; one
   * escape per UTF-16 unit of a lone surrogate); other text, backslashes included, comes back unchanged, and
   * text with nothing to escape is returned as the same instance. For values put into log lines and onto the
   * status page. {@code null} stays {@code null}.
   */
  public static String escape(String text) {
    if (text == null || first(text, true) < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); ) {
      int c = text.codePointAt(i);
      appendEscaped(out, c);
      i += Character.charCount(c);
    }
    return out.toString();
  }

  /** Appends the code point, or its {@code \}{@code uXXXX} escape when a reader must not see it raw. */
  static void appendEscaped(StringBuilder out, int c) {
    if (mustEscape(c)) {
      out.append(String.format("\\u%04X", c));
    } else {
      out.appendCodePoint(c);
    }
  }

  /** The UTF-16 index of the first {@link #refused} character, or -1 when there is none. */
  static int firstRefused(String text) {
    return first(text, false);
  }

  /**
   * Why the text at {@code index} (a {@link #firstRefused} answer) is refused, without showing it:
   * {@code contains U+202E (right-to-left override) at position 3}, the position counted in characters (code
   * points) from 0, as Python indexes a string.
   */
  static String refusal(String text, int index) {
    int c = text.codePointAt(index);
    return String.format("contains U+%04X (%s) at position %d", c, name(c), text.codePointCount(0, index));
  }

  /** A short English name for a refused code point. */
  static String name(int c) {
    return switch (c) {
      case 0x061C -> "arabic letter mark";
      case 0x200B -> "zero width space";
      case 0x200C -> "zero width non-joiner";
      case 0x200D -> "zero width joiner";
      case 0x200E -> "left-to-right mark";
      case 0x200F -> "right-to-left mark";
      case 0x202A -> "left-to-right embedding";
      case 0x202B -> "right-to-left embedding";
      case 0x202C -> "pop directional formatting";
      case 0x202D -> "left-to-right override";
      case 0x202E -> "right-to-left override";
      case 0x2060 -> "word joiner";
      case 0x2066 -> "left-to-right isolate";
      case 0x2067 -> "right-to-left isolate";
      case 0x2068 -> "first strong isolate";
      case 0x2069 -> "pop directional isolate";
      case 0xFEFF -> "zero width no-break space";
      default -> c >= 0x80 && c <= 0x9F ? "C1 control character" : "control character";
    };
  }

  private static int first(String text, boolean escaped) {
    for (int i = 0; i < text.length(); ) {
      int c = text.codePointAt(i);
      if (escaped ? mustEscape(c) : refused(c)) {
        return i;
      }
      i += Character.charCount(c);
    }
    return -1;
  }
}
