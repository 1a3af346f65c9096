package io.launchworker.bench;

/**
 * A token bucket's shape as written on the command line: {@code BURST/REFILL}, e.g. {@code 50/20} = burst 50,
 * refill 20 per second. Immutable.
 */
public record Bucket(int burst, double perSecond) {
  /** The config's ceiling for the client-side budget: effectively no budget at all. */
  static final Bucket UNLIMITED = new Bucket(1_000_000, 1_000_000);

  public Bucket {
    if (burst < 1 || !(perSecond > 0)) {
      throw new IllegalArgumentException("bucket needs burst >= 1 and refill > 0, got " + burst + "/" + perSecond);
    }
  }

  /** Parses {@code BURST/REFILL}; throws {@link IllegalArgumentException} naming the text when malformed. */
  public static Bucket parse(String text) {
    String[] parts = text.trim().split("/");
    if (parts.length != 2) {
      throw new IllegalArgumentException("'" + text + "' is not BURST/REFILL such as 50/20");
    }
    try {
      return new Bucket(Integer.parseInt(parts[0].trim()), Double.parseDouble(parts[1].trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is not BURST/REFILL such as 50/20");
    }
  }

  boolean unlimited() {
    return equals(UNLIMITED);
  }

  @Override
  public String toString() {
    return unlimited() ? "unlimited" : burst + "/" + (perSecond == Math.rint(perSecond)
        ? Long.toString((long) perSecond) : Double.toString(perSecond));
  }
}
