package io.launchworker.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Dockerfile read as its instructions: comments dropped, continuation lines joined, each instruction tagged
 * with the build stage it belongs to (0 for the first {@code FROM}). Enough for the files of this project
 * (no heredocs). Public for the image's IT ({@code it.ImageIT}), which builds from the same base images. Immutable.
 */
public final class DockerfileInstructions {
  /** {@code FROM ${NAME}} or {@code FROM ${NAME} AS stage}: a base image chosen by an ARG. */
  private static final Pattern FROM_ARG = Pattern.compile("\\$\\{(\\w+)}( AS \\w+)?");

  /** One instruction: its keyword in upper case, the rest of the line, and its stage. */
  record Instruction(String keyword, String arguments, int stage) {}

  /**
   * A stage's base image: the ARG its {@code FROM} names and that ARG's default, the reference a build without
   * {@code --build-arg} uses (e.g. {@code eclipse-temurin:17-jre-noble@sha256:...}).
   */
  public record BaseImage(int stage, String arg, String reference) {}

  private final List<Instruction> instructions;

  private DockerfileInstructions(List<Instruction> instructions) {
    this.instructions = List.copyOf(instructions);
  }

  public static DockerfileInstructions read(Path file) throws IOException {
    return parse(Files.readAllLines(file));
  }

  static DockerfileInstructions parse(List<String> lines) {
    List<Instruction> result = new ArrayList<>();
    StringBuilder pending = new StringBuilder();
    int stage = -1;
    for (String raw : lines) {
      String line = raw.strip();
      if (line.startsWith("#") || (line.isEmpty() && pending.isEmpty())) {
        continue;
      }
      if (line.endsWith("\\")) {
        pending.append(line, 0, line.length() - 1).append(' ');
        continue;
      }
      String whole = pending.append(line).toString().strip();
      pending.setLength(0);
      if (whole.isEmpty()) {
        continue;
      }
      int space = whole.indexOf(' ');
      String keyword = (space < 0 ? whole : whole.substring(0, space)).toUpperCase(Locale.ROOT);
      String arguments = space < 0 ? "" : whole.substring(space + 1).strip();
      if (keyword.equals("FROM")) {
        stage++;
      }
      result.add(new Instruction(keyword, arguments, stage));
    }
    return new DockerfileInstructions(result);
  }

  int stageCount() {
    return (int) instructions.stream().filter(i -> i.keyword().equals("FROM")).count();
  }

  int lastStage() {
    return stageCount() - 1;
  }

  List<Instruction> all(String keyword) {
    return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
  }

  List<Instruction> inStage(int stage, String keyword) {
    return all(keyword).stream().filter(i -> i.stage() == stage).toList();
  }

  /**
   * A stage's {@code FROM} arguments with the {@code ${NAME}} of each {@code ARG} declared before the first
   * {@code FROM} replaced by its default, as a build without {@code --build-arg} sees them.
   */
  String from(int stage) {
    String from = only(stage, "FROM").arguments();
    for (Instruction arg : inStage(-1, "ARG")) {
      int eq = arg.arguments().indexOf('=');
      if (eq > 0) {
        from = from.replace("${" + arg.arguments().substring(0, eq) + "}", arg.arguments().substring(eq + 1));
      }
    }
    return from;
  }

  /** Each stage's base image, in stage order; fails when a stage's {@code FROM} is not an ARG with a default. */
  public List<BaseImage> baseImages() {
    List<BaseImage> images = new ArrayList<>();
    for (int stage = 0; stage < stageCount(); stage++) {
      Matcher from = FROM_ARG.matcher(only(stage, "FROM").arguments());
      if (!from.matches()) {
        throw new AssertionError("stage " + stage + " does not take its base image from an ARG: "
            + only(stage, "FROM").arguments());
      }
      String name = from.group(1);
      String reference = inStage(-1, "ARG").stream().map(Instruction::arguments)
          .filter(a -> a.startsWith(name + "=")).map(a -> a.substring(name.length() + 1)).findFirst()
          .orElseThrow(() -> new AssertionError("no default for ARG " + name + " before the first FROM"));
      images.add(new BaseImage(stage, name, reference));
    }
    return images;
  }

  /** The {@code USER} the image runs as: the last stage's, e.g. {@code 10001:10001}. */
  public String runtimeUser() {
    return only(lastStage(), "USER").arguments();
  }

  /** The single instruction of this keyword in a stage; fails when there is none or several. */
  Instruction only(int stage, String keyword) {
    List<Instruction> found = inStage(stage, keyword);
    if (found.size() != 1) {
      throw new AssertionError("expected one " + keyword + " in stage " + stage + ", found " + found);
    }
    return found.get(0);
  }
}
