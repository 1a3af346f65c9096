package io.launchworker.request;

import java.util.Base64;
import java.util.regex.Pattern;

/**
 * The shape of each string field. Shapes catch typos and pasted garbage before EC2 sees them; they do not
 * check that the resource exists. Stateless and thread-safe.
 */
final class ValueRules {
  /** EC2 resource IDs: a prefix and 8 (older) or 17 lowercase hex digits. */
  private static final String EC2_ID = "-(?:[0-9a-f]{8}|[0-9a-f]{17})";
  private static final String EC2_ID_RULE = " followed by 8 or 17 lowercase hex digits";

  private static final Pattern IMAGE_ID = Pattern.compile("ami" + EC2_ID);
  private static final Pattern SUBNET_ID = Pattern.compile("subnet" + EC2_ID);
  private static final Pattern SECURITY_GROUP_ID = Pattern.compile("sg" + EC2_ID);
  private static final Pattern TEMPLATE_ID = Pattern.compile("lt" + EC2_ID);
  /** EC2's launch template name rule. */
  private static final Pattern TEMPLATE_NAME = Pattern.compile("[A-Za-z0-9().\\-/_]{3,128}");
  private static final Pattern TEMPLATE_VERSION = Pattern.compile("\\$Default|\\$Latest|[1-9][0-9]{0,17}");
  /** Family, dot, size: {@code t3.micro}, {@code c7i-flex.large}, {@code u-6tb1.metal}. */
  private static final Pattern INSTANCE_TYPE = Pattern.compile("[a-z0-9-]{1,32}\\.[a-z0-9-]{1,32}");
  /** EC2's Spot price: a positive decimal in USD per hour, such as {@code 0.0416}. */
  private static final Pattern SPOT_PRICE = Pattern.compile("(?:0|[1-9][0-9]{0,4})(?:\\.[0-9]{1,6})?");
  /** Linux and Windows device names as EC2 takes them: {@code /dev/xvda}, {@code /dev/sda1}, {@code xvdf}. */
  private static final Pattern DEVICE_NAME = Pattern.compile("(?:/dev/)?[a-z][a-z0-9]{1,15}");
  /** IAM's ARN and name rules for instance profiles. */
  private static final Pattern PROFILE_ARN =
      Pattern.compile("arn:aws[a-z-]*:iam::[0-9]{12}:instance-profile/[\\w+=,.@/-]{1,512}");
  private static final Pattern PROFILE_NAME = Pattern.compile("[\\w+=,.@-]{1,128}");
  /** EC2 key pair names are at most 255 characters. */
  static final int MAX_KEY_NAME_CHARS = 255;
  static final int MAX_REQUEST_ID_CHARS = 128;
  /** EC2's ClientToken limit. */
  static final int MAX_CLIENT_TOKEN_CHARS = 64;
  /** EC2's limit on user data after base64 decoding. */
  static final int MAX_USER_DATA_BYTES = 16_384;
  /** EC2 accepts 5 security groups per interface by default, 16 at most after a quota increase. */
  static final int MAX_SECURITY_GROUPS = 16;

  private ValueRules() {}

  static String imageId(String path, String value) {
    return matching(path, value, IMAGE_ID, "\"ami-\"" + EC2_ID_RULE);
  }

  static String subnetId(String path, String value) {
    return matching(path, value, SUBNET_ID, "\"subnet-\"" + EC2_ID_RULE);
  }

  static String securityGroupId(String path, String value) {
    return matching(path, value, SECURITY_GROUP_ID, "\"sg-\"" + EC2_ID_RULE);
  }

  static String templateId(String path, String value) {
    return matching(path, value, TEMPLATE_ID, "\"lt-\"" + EC2_ID_RULE);
  }

  static String templateName(String path, String value) {
    return matching(path, value, TEMPLATE_NAME, "3 to 128 letters, digits or ( ) . - / _");
  }

  static String templateVersion(String path, String value) {
    return matching(path, value, TEMPLATE_VERSION, "\"$Default\", \"$Latest\" or a version number such as \"3\"");
  }

  static String instanceType(String path, String value) {
    return matching(path, value, INSTANCE_TYPE,
        "an instance type such as \"t3.micro\" (lowercase letters, digits, hyphens, one dot)");
  }

  static String profileArn(String path, String value) {
    return matching(path, value, PROFILE_ARN, "an ARN such as \"arn:aws:iam::123456789012:instance-profile/web\"");
  }

  static String profileName(String path, String value) {
    return matching(path, value, PROFILE_NAME, "1 to 128 letters, digits or + = , . @ _ -");
  }

  static String spotPrice(String path, String value) {
    String checked = matching(path, value, SPOT_PRICE, "a price in USD per hour such as \"0.05\" (digits, an "
        + "optional dot and at most 6 decimals), above 0");
    if (new java.math.BigDecimal(checked).signum() <= 0) {
      throw invalid(path, value, "a price above 0");
    }
    return checked;
  }

  static String deviceName(String path, String value) {
    return matching(path, value, DEVICE_NAME, "a device name such as \"/dev/xvda\" or \"/dev/sda1\"");
  }

  static String keyName(String path, String value) {
    text(path, value);
    if (value.codePointCount(0, value.length()) > MAX_KEY_NAME_CHARS) {
      throw invalid(path, value, "at most " + MAX_KEY_NAME_CHARS + " characters");
    }
    return value;
  }

  static String requestId(String path, String value) {
    if (value.isEmpty() || value.length() > MAX_REQUEST_ID_CHARS || !printableAscii(value)) {
      throw invalid(path, value, "1 to " + MAX_REQUEST_ID_CHARS + " printable ASCII characters");
    }
    return value;
  }

  static String clientToken(String path, String value) {
    if (value.isEmpty() || value.length() > MAX_CLIENT_TOKEN_CHARS || !printableAscii(value)) {
      throw new InvalidRequestException(RejectReason.INVALID_CLIENT_TOKEN,
          path + ": got " + Show.quote(value) + " (" + value.length() + " characters); allowed: 1 to "
              + MAX_CLIENT_TOKEN_CHARS + " printable ASCII characters");
    }
    return value;
  }

  /** Standard base64 with padding, no whitespace; the content never appears in a message. */
  static String userData(String path, String value) {
    if (value.isEmpty()) {
      throw new InvalidRequestException(RejectReason.INVALID_VALUE,
          path + ": empty; allowed: base64 of 1 to " + MAX_USER_DATA_BYTES + " bytes, or leave the field out");
    }
    byte[] decoded;
    try {
      if (value.length() % 4 != 0) {
        throw new IllegalArgumentException("unpadded");
      }
      decoded = Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(RejectReason.USER_DATA_NOT_BASE64,
          path + ": not valid base64 (" + value.length() + " characters, content not shown); allowed: standard "
              + "base64 with padding and no line breaks or spaces");
    }
    if (decoded.length > MAX_USER_DATA_BYTES) {
      throw new InvalidRequestException(RejectReason.USER_DATA_TOO_LARGE,
          path + ": " + decoded.length + " bytes after decoding; allowed: at most " + MAX_USER_DATA_BYTES);
    }
    return value;
  }

  /**
   * Non-empty and free of control, bidirectional-formatting and zero-width characters ({@link SafeText#refused}):
   * the rule every string field shares. The message names the code point and never shows it.
   */
  static String text(String path, String value) {
    if (value.isEmpty()) {
      throw new InvalidRequestException(RejectReason.INVALID_VALUE,
          path + ": empty string; allowed: a non-empty value, or leave the field out");
    }
    int at = SafeText.firstRefused(value);
    if (at >= 0) {
      throw new InvalidRequestException(RejectReason.INVALID_VALUE,
          path + ": " + SafeText.refusal(value, at) + "; allowed: " + SafeText.ALLOWED);
    }
    return value;
  }

  static InvalidRequestException invalid(String path, String value, String allowed) {
    return new InvalidRequestException(RejectReason.INVALID_VALUE,
        path + ": got " + Show.quote(value) + "; allowed: " + allowed);
  }

  private static String matching(String path, String value, Pattern shape, String allowed) {
    text(path, value);
    if (!shape.matcher(value).matches()) {
      throw invalid(path, value, allowed);
    }
    return value;
  }

  static boolean printableAscii(String value) {
    return value.chars().allMatch(c -> c >= 0x20 && c <= 0x7e);
  }
}
