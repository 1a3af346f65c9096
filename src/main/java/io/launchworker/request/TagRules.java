package io.launchworker.request;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Reads the request's {@code tags} object into an ordered map, enforcing EC2's tag rules. Stateless. */
final class TagRules {
  /**
   * EC2 allows 50 user tags per resource and the worker always adds its own 3 ({@link LaunchTags}), so a
   * request may bring 47, fewer when configured default tags of other keys are added too.
   */
  static final int MAX_TAGS = LaunchTags.MAX_OTHER_TAGS;
  /** EC2's tag limits, in Unicode characters. */
  static final int MAX_KEY_CHARS = 128;
  static final int MAX_VALUE_CHARS = 256;
  private static final String AWS_PREFIX = "aws:";

  private TagRules() {}

  /** @param defaults their tags of keys the request does not set are added to the instance, so they count */
  static Map<String, String> read(ObjectNode tags, String path, LaunchDefaults defaults) {
    Set<String> keys = new HashSet<>();
    tags.fieldNames().forEachRemaining(keys::add);
    int added = defaults.tagsAddedTo(keys);
    if (tags.size() + added > MAX_TAGS) {
      String limit = " (EC2 allows 50 and the worker adds " + (50 - MAX_TAGS) + ")";
      throw new InvalidRequestException(RejectReason.TOO_MANY_TAGS, added == 0
          ? path + ": " + tags.size() + " tags; allowed: at most " + MAX_TAGS + limit
          : path + ": " + tags.size() + " tags, and launcher.defaults.tags adds " + added
              + " more (default keys the request does not set); allowed: at most " + MAX_TAGS + " in all" + limit);
    }
    Map<String, String> result = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> tag : tags.properties()) {
      String tagPath = Show.field(path, tag.getKey());
      String key = key(tagPath, tag.getKey());
      result.put(key, value(tagPath, Fields.string(tag.getValue(), tagPath)));
    }
    return result;
  }

  private static String key(String path, String key) {
    if (key.isEmpty()) {
      throw invalid(path, "empty key; allowed: 1 to " + MAX_KEY_CHARS + " characters");
    }
    if (key.regionMatches(true, 0, AWS_PREFIX, 0, AWS_PREFIX.length())
        || key.toLowerCase(Locale.ROOT).startsWith(LaunchTags.RESERVED_PREFIX)) {
      throw new InvalidRequestException(RejectReason.RESERVED_TAG_KEY,
          path + ": key " + Show.quote(key) + " is reserved; allowed: keys not starting with \"" + AWS_PREFIX
              + "\" or \"" + LaunchTags.RESERVED_PREFIX + "\"");
    }
    if (key.codePointCount(0, key.length()) > MAX_KEY_CHARS) {
      throw invalid(path, "key of " + key.codePointCount(0, key.length()) + " characters; allowed: at most "
          + MAX_KEY_CHARS);
    }
    refuseHiddenCharacters(path, "key", key);
    return key;
  }

  private static String value(String path, String value) {
    if (value.codePointCount(0, value.length()) > MAX_VALUE_CHARS) {
      throw invalid(path, "value " + Show.quote(value) + " has " + value.codePointCount(0, value.length())
          + " characters; allowed: at most " + MAX_VALUE_CHARS);
    }
    refuseHiddenCharacters(path, "value", value);
    return value;
  }

  /** The path names the tag; the message says which half is at fault and never shows the character itself. */
  private static void refuseHiddenCharacters(String path, String half, String text) {
    int at = SafeText.firstRefused(text);
    if (at >= 0) {
      throw invalid(path, half + " " + SafeText.refusal(text, at) + "; allowed: " + SafeText.ALLOWED);
    }
  }

  private static InvalidRequestException invalid(String path, String message) {
    return new InvalidRequestException(RejectReason.INVALID_TAG, path + ": " + message);
  }
}
