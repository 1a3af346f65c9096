package io.launchworker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Worker processes of the bench run on the JVM the image runs them on. */
class ProcessFleetTest {
  private static final Path DOCKERFILE = Path.of("docker", "Dockerfile");

  @Test
  void benchWorkersGetTheJvmOptionsTheImageGivesTheWorker() throws Exception {
    Matcher entrypoint = Pattern.compile("(?m)^ENTRYPOINT\\s+(\\[.*])\\s*$").matcher(Files.readString(DOCKERFILE));
    assertThat(entrypoint.find()).as("an exec-form ENTRYPOINT in %s", DOCKERFILE).isTrue();
    List<String> words = Arrays.asList(new ObjectMapper().readValue(entrypoint.group(1), String[].class));

    assertThat(words.subList(0, words.indexOf("-jar"))).containsAll(ProcessFleet.IMAGE_JVM_OPTIONS)
        .containsAll(IdleRun.IMAGE_MEMORY_OPTIONS);
  }
}
