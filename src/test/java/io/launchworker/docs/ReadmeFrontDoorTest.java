package io.launchworker.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/** What the README promises a newcomer at the door: the picture, the licence, the changelog, a tidy top level. */
class ReadmeFrontDoorTest {
  private static final Path ROOT = DocLinksTest.ROOT;
  private static final Markdown README = Markdown.read(ROOT.resolve("README.md"));
  private static final Pattern CONFIG_KEY = Pattern.compile("\\blauncher\\.[a-z][a-z0-9.-]*[a-z0-9]");

  /** What the repository's top level holds: the parts DESIGN.md names, the licence and the CI script. */
  private static final Set<String> TOP_LEVEL =
      Set.of(".ci", ".gitignore", "LICENSE", "README.md", "config", "docker", "pom.xml", "src");

  @Test
  void theReadmeDrawsTheFlowFromProducersToEc2WithTheDeadLetterAndResultsQueues() {
    List<Markdown.Fence> pictures = README.fences("mermaid");
    assertThat(pictures).as("```mermaid blocks in README.md").hasSize(1);
    String picture = pictures.get(0).body();

    assertThat(picture).startsWith("flowchart")
        .contains("launcher.queue-url", "launcher.dlq-url", "launcher.results-queue-url")
        .contains("RunInstances", "DescribeInstances", "ClientToken", "maxReceiveCount")
        .contains("poll", "launch", "settle");
  }

  @Test
  void everyConfigurationKeyThePictureNamesExists() {
    Config reference = ConfigFactory.parseFile(ROOT.resolve("config/worker.conf").toFile());
    Matcher key = CONFIG_KEY.matcher(README.fences("mermaid").get(0).body());
    Set<String> named = new TreeSet<>();
    while (key.find()) {
      named.add(key.group());
    }

    assertThat(named).hasSizeGreaterThanOrEqualTo(3).allSatisfy(k -> assertThat(reference.hasPath(k)).as(k).isTrue());
  }

  @Test
  void theLicenceIsApache2AndThePomSaysSo() throws Exception {
    String licence = Files.readString(ROOT.resolve("LICENSE"), StandardCharsets.UTF_8);
    Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(ROOT.resolve("pom.xml").toFile());

    assertThat(licence.strip()).startsWith("Apache License\n                           Version 2.0, January 2004")
        .contains("TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION", "END OF TERMS AND CONDITIONS")
        .contains("http://www.apache.org/licenses/LICENSE-2.0");
    assertThat(pom.getElementsByTagName("license").getLength()).isEqualTo(1);
    assertThat(pom.getElementsByTagName("license").item(0).getTextContent())
        .contains("Apache-2.0", "https://www.apache.org/licenses/LICENSE-2.0.txt");
    assertThat(README.links()).contains("LICENSE", "src/site/markdown/changelog.md");
  }

  @Test
  void theTopLevelHoldsOnlyWhatTheDesignNamesTheLicenceAndTheCiScript() throws Exception {
    Process git;
    try {
      git = new ProcessBuilder("git", "ls-files").directory(ROOT.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      assumeTrue(false, "git is not on PATH: " + e.getMessage());
      return;
    }
    String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(git.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assumeTrue(git.exitValue() == 0, "not a git work tree (a source archive?): " + out.strip());
    Set<String> topLevel = new TreeSet<>();
    out.lines().filter(l -> !l.isBlank()).forEach(path -> topLevel.add(path.split("/", 2)[0]));

    assertThat(topLevel).as("what git tracks at the top level").isSubsetOf(TOP_LEVEL);
  }
}
