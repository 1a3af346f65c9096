package io.launchworker.sandbox.ec2;

/** A minimal XML writer: elements and escaped text into a StringBuilder. Not thread-safe; one per answer. */
final class Xml {
  static final String EC2_NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/";

  private final StringBuilder out = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");

  /** Opens the document's root element in the EC2 namespace. */
  Xml root(String name) {
    out.append('<').append(name).append(" xmlns=\"").append(EC2_NAMESPACE).append("\">");
    return this;
  }

  Xml open(String name) {
    out.append('<').append(name).append('>');
    return this;
  }

  Xml close(String name) {
    out.append("</").append(name).append('>');
    return this;
  }

  /** Writes {@code <name>value</name>}; writes nothing when value is null. */
  Xml leaf(String name, Object value) {
    if (value != null) {
      open(name);
      out.append(escape(String.valueOf(value)));
      close(name);
    }
    return this;
  }

  static String escape(String text) {
    StringBuilder escaped = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> escaped.append("&amp;");
        case '<' -> escaped.append("&lt;");
        case '>' -> escaped.append("&gt;");
        case '"' -> escaped.append("&quot;");
        case '\'' -> escaped.append("&apos;");
        default -> escaped.append(c);
      }
    }
    return escaped.toString();
  }

  @Override
  public String toString() {
    return out.toString();
  }
}
