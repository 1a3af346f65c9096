package io.launchworker.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Markdown file as GitHub renders it, as far as links are concerned: its inline links, the anchors its headings
 * get, and its fenced blocks. Text inside fences and inline code is neither a link nor a heading. Immutable.
 */
record Markdown(Path file, List<String> links, Set<String> anchors, List<Fence> fences) {
  /** A fenced block: its info string ({@code mermaid}, {@code sh}, or empty) and the lines between the fences. */
  record Fence(String info, String body) {}

  private static final Pattern FENCE = Pattern.compile("^\\s*(```+|~~~+)\\s*([\\w-]*).*$");
  private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");
  private static final Pattern INLINE_CODE = Pattern.compile("`[^`]*`");
  private static final Pattern LINK = Pattern.compile("\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
  private static final Pattern LINK_TEXT = Pattern.compile("\\[([^\\]]*)\\]\\([^)]*\\)");
  /** GitHub's slugger keeps letters, digits, marks, underscores, hyphens and spaces, and drops everything else. */
  private static final Pattern NOT_IN_SLUG = Pattern.compile("[^\\p{L}\\p{N}\\p{M}_\\- ]");

  static Markdown read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> links = new ArrayList<>();
    Set<String> anchors = new LinkedHashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    List<Fence> fences = new ArrayList<>();
    String fence = null;
    String info = "";
    StringBuilder body = new StringBuilder();
    for (String line : lines) {
      Matcher fenceLine = FENCE.matcher(line);
      if (fence != null) {
        if (fenceLine.matches() && fenceLine.group(1).startsWith(fence) && fenceLine.group(2).isEmpty()) {
          fences.add(new Fence(info, body.toString()));
          fence = null;
        } else {
          body.append(line).append('\n');
        }
        continue;
      }
      if (fenceLine.matches()) {
        fence = fenceLine.group(1);
        info = fenceLine.group(2);
        body.setLength(0);
        continue;
      }
      Matcher heading = HEADING.matcher(line);
      if (heading.matches()) {
        String slug = slug(heading.group(1));
        int n = seen.merge(slug, 1, Integer::sum);
        anchors.add(n == 1 ? slug : slug + "-" + (n - 1));
      }
      Matcher link = LINK.matcher(INLINE_CODE.matcher(line).replaceAll(""));
      while (link.find()) {
        links.add(link.group(1));
      }
    }
    return new Markdown(file, List.copyOf(links), Set.copyOf(anchors), List.copyOf(fences));
  }

  /** The anchor GitHub gives a heading: its text without markup, lower case, punctuation dropped, spaces as hyphens. */
  static String slug(String heading) {
    String text = LINK_TEXT.matcher(heading).replaceAll("$1").replace("`", "").replace("*", "");
    return NOT_IN_SLUG.matcher(text.toLowerCase(java.util.Locale.ROOT)).replaceAll("").replace(' ', '-');
  }

  List<Fence> fences(String info) {
    return fences.stream().filter(f -> f.info().equals(info)).toList();
  }
}
