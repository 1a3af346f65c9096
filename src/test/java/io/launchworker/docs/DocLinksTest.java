package io.launchworker.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every relative link of README.md and src/site/markdown/*.md leads somewhere: the file or folder exists inside
 * the repository, and an anchor names a heading of the Markdown file it points into (as GitHub makes anchors).
 * Web links are not followed: the build runs offline.
 */
class DocLinksTest {
  static final Path ROOT = Paths.get("").toAbsolutePath();

  static List<Path> documents() throws IOException {
    List<Path> documents = new ArrayList<>(List.of(ROOT.resolve("README.md")));
    try (Stream<Path> site = Files.list(ROOT.resolve("src/site/markdown"))) {
      site.filter(p -> p.toString().endsWith(".md")).sorted().forEach(documents::add);
    }
    return documents;
  }

  @Test
  void everyRelativeLinkInTheDocumentationResolves() throws IOException {
    List<String> broken = new ArrayList<>();
    int checked = 0;
    for (Path document : documents()) {
      Markdown markdown = Markdown.read(document);
      for (String link : markdown.links()) {
        if (link.matches("^[a-zA-Z][a-zA-Z+.-]*:.*")) {
          continue; // https:, http:, mailto:
        }
        checked++;
        problem(document, link).ifPresent(p -> broken.add(ROOT.relativize(document) + ": " + link + ": " + p));
      }
    }
    assertThat(checked).as("relative links found").isGreaterThan(30);
    assertThat(broken).isEmpty();
  }

  @Test
  void anchorsAreMadeAsGitHubMakesThem() {
    assertThat(Markdown.slug("Doubt before acting: the consistency window and DryRun probes"))
        .isEqualTo("doubt-before-acting-the-consistency-window-and-dryrun-probes");
    assertThat(Markdown.slug("Audit: proof that nothing leaked")).isEqualTo("audit-proof-that-nothing-leaked");
    assertThat(Markdown.slug("The whole stack on a laptop: LocalStack, the worker, Prometheus and Grafana"))
        .isEqualTo("the-whole-stack-on-a-laptop-localstack-the-worker-prometheus-and-grafana");
    assertThat(Markdown.slug("`launch-worker` on EC2 — 0.1.0")).isEqualTo("launch-worker-on-ec2--010");
  }

  private static Optional<String> problem(Path document, String link) {
    int hash = link.indexOf('#');
    String path = hash < 0 ? link : link.substring(0, hash);
    String anchor = hash < 0 ? "" : link.substring(hash + 1);
    Path target = path.isEmpty() ? document : document.getParent().resolve(path).normalize();
    if (!target.startsWith(ROOT)) {
      return Optional.of("points outside the repository");
    }
    if (!Files.exists(target)) {
      return Optional.of("no such file " + ROOT.relativize(target));
    }
    if (!anchor.isEmpty() && target.toString().endsWith(".md")
        && !Markdown.read(target).anchors().contains(anchor)) {
      return Optional.of("no heading makes the anchor #" + anchor + " in " + ROOT.relativize(target));
    }
    return Optional.empty();
  }
}
