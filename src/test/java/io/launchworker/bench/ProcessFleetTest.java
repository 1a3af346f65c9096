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
  void benchWorkersGetExactlyTheJvmOptionsTheImageGivesTheWorker() throws Exception {
    Matcher entrypoint = Pattern.compile("(?m)^ENTRYPOINT\\s+(\\[.*])\\s*$").matcher(Files.readString(DOCKERFILE));
    assertThat(entrypoint.find()).as("an exec-form ENTRYPOINT in %s", DOCKERFILE).isTrue();
    List<String> words = Arrays.asList(new ObjectMapper().readValue(entrypoint.group(1), String[].class));

    assertThat(words.get(0)).isEqualTo("java");
    assertThat(words.subList(1, words.indexOf("-jar"))).containsExactlyElementsOf(ProcessFleet.IMAGE_JVM_OPTIONS);
    assertThat(words.get(words.indexOf("-jar") + 1)).endsWith("/" + ProcessFleet.SERVICE_JAR);
  }
}
