package io.launchworker.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A Dockerfile read as its instructions: comments dropped, continuation lines joined, each instruction tagged
 * with the build stage it belongs to (0 for the first {@code FROM}). Enough for the files of this project
 * (no heredocs). Immutable.
 */
final class DockerfileInstructions {
  /** One instruction: its keyword in upper case, the rest of the line, and its stage. */
  record Instruction(String keyword, String arguments, int stage) {}

  private final List<Instruction> instructions;

  private DockerfileInstructions(List<Instruction> instructions) {
    this.instructions = List.copyOf(instructions);
  }

  static DockerfileInstructions read(Path file) throws IOException {
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

  /** The single instruction of this keyword in a stage; fails when there is none or several. */
  Instruction only(int stage, String keyword) {
    List<Instruction> found = inStage(stage, keyword);
    if (found.size() != 1) {
      throw new AssertionError("expected one " + keyword + " in stage " + stage + ", found " + found);
    }
    return found.get(0);
  }
}
