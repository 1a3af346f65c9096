package io.launchworker.it;

import io.launchworker.deploy.DockerfileInstructions.BaseImage;
import io.launchworker.testing.LocalProcesses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The base images of docker/Dockerfile as this machine can have them. Where the pinned images are in podman's store
 * or a registry hands them out, the build gets them, by digest. Where no registry answers (the build machines), it
 * gets stand-ins made from Debian packages: Debian 12 with its OpenJDK 17 and the packages the real image installs
 * for the runtime, plus Maven and the JDK for the build.
 *
 * <p>A stand-in is tagged {@code localhost/NAME:TAG}, the Dockerfile's name and tag without the digest (a digest
 * names the real content, which a stand-in is not; {@code localhost/} keeps it from hiding a real image of that tag
 * someone pulled), and reaches the build as {@code --build-arg}, the override the Dockerfile offers mirrors. It is
 * kept in podman's store and reused while its label holds the fingerprint of the recipe it would be made from now
 * (commands, packages and, for the build image, the host's CA bundle), so a changed recipe is never answered by an
 * old stand-in. What this class prepares are base images only: the Dockerfile is built by every run.
 * Not thread-safe: one owner, the image IT.
 */
final class BaseImages {
  /** Debian 12: the last Debian release with OpenJDK 17, the JRE the image runs on. */
  private static final String SUITE = "bookworm";
  private static final String MIRROR = System.getProperty("image.debianMirror", "http://deb.debian.org/debian");
  private static final String JRE = "eclipse-temurin:17-jre-noble";
  private static final String MAVEN = "maven:3.9-eclipse-temurin-17";
  /**
   * What eclipse-temurin's Ubuntu images install besides Temurin (their Dockerfile, as docker-library/repo-info
   * shows it), so a Dockerfile relying on one of them, as the HEALTHCHECK relies on curl, is tested with it.
   */
  private static final List<String> TEMURIN_PACKAGES =
      List.of("curl", "wget", "gnupg", "fontconfig", "ca-certificates", "p11-kit", "tzdata", "locales");
  /** The environment of the real images that the JVM reads (its locale: UTF-8 output). */
  private static final List<String> TEMURIN_ENV =
      List.of("ENV LANG=en_US.UTF-8", "ENV LANGUAGE=en_US:en", "ENV LC_ALL=en_US.UTF-8");
  private static final String FINGERPRINT = "io.launchworker.stand-in";
  /**
   * This class's own byte code, part of every fingerprint: a change to how stand-ins are made makes them anew, even
   * where the recipe text above it was not changed with it.
   */
  private static final String CODE = ownCode();
  private static final Duration PULL = Duration.ofMinutes(15);
  private static final Duration MAKE = Duration.ofMinutes(15);

  private final Podman podman;
  private final List<BaseImage> images;
  private final Path work;
  /** What was done for each base image, in order: "pinned", "made in 62 s", "reused". */
  private final Map<String, String> report = new LinkedHashMap<>();

  BaseImages(Podman podman, List<BaseImage> images, Path work) {
    this.podman = podman;
    this.images = List.copyOf(images);
    this.work = work;
  }

  /**
   * Empty when every pinned image is here or was pulled just now; otherwise why not (podman's first line), after
   * trying each once.
   */
  Optional<String> pinnedUnavailable() throws IOException, InterruptedException {
    for (BaseImage image : images) {
      String pinned = qualified(image.reference());
      if (podman.run(Duration.ofMinutes(1), "image", "exists", pinned).code() != 0) {
        Command.Result pull = podman.run(PULL, "pull", "--quiet", pinned);
        if (pull.code() != 0) {
          return Optional.of(pull.output().lines().findFirst().orElse("exit " + pull.code()));
        }
      }
    }
    images.forEach(image -> report.put(withoutDigest(image.reference()), "pinned " + qualified(image.reference())));
    return Optional.empty();
  }

  /** The build arguments that give the build the pinned images, by their full names. */
  List<String> pinnedBuildArgs() {
    List<String> args = new ArrayList<>();
    images.forEach(image -> args.addAll(List.of("--build-arg", image.arg() + "=" + qualified(image.reference()))));
    return args;
  }

  /** Why stand-ins cannot be made here (debootstrap and the root podman it feeds need root), if they cannot. */
  static Optional<String> cannotMakeStandIns() {
    if (LocalProcesses.onPath("debootstrap").isEmpty()) {
      return Optional.of("no debootstrap on PATH (" + System.getenv("PATH") + ") to make base-image stand-ins");
    }
    if (!"root".equals(System.getProperty("user.name"))) {
      return Optional.of("making base-image stand-ins needs root (debootstrap), not "
          + System.getProperty("user.name"));
    }
    return Optional.empty();
  }

  /** Makes (or reuses) a stand-in for every base image and gives the build arguments that name them. */
  List<String> standInBuildArgs() throws IOException, InterruptedException {
    List<String> args = new ArrayList<>();
    for (BaseImage image : images) {
      args.addAll(List.of("--build-arg", image.arg() + "=" + standIn(image.reference())));
    }
    return args;
  }

  /** One line per base image: its reference and what was done for it. */
  String report() {
    List<String> lines = new ArrayList<>();
    report.forEach((reference, done) -> lines.add(reference + ": " + done));
    return String.join("\n", lines);
  }

  /** The stand-in's tag for a pinned reference, made or reused. */
  private String standIn(String reference) throws IOException, InterruptedException {
    String nameAndTag = withoutDigest(reference);
    String tag = "localhost/" + nameAndTag;
    String base = nameAndTag.equals(MAVEN) ? standIn(JRE) : "";
    String recipe = switch (nameAndTag) {
      case JRE -> jreRecipe();
      case MAVEN -> mavenRecipe(base);
      default -> throw new AssertionError("no stand-in recipe for " + reference + ": add a faithful one to "
          + "BaseImages, or run where a registry hands out the pinned image");
    };
    String fingerprint = sha256(recipe + "\n" + CODE);
    Command.Result label = podman.run(Duration.ofMinutes(1), "image", "inspect", "--format",
        "{{index .Labels \"" + FINGERPRINT + "\"}}", tag);
    if (label.code() == 0 && label.answer().equals(fingerprint)) {
      report.putIfAbsent(nameAndTag, "stand-in " + tag + " reused");
      return tag;
    }
    long start = System.nanoTime();
    List<String> labels = List.of("LABEL " + FINGERPRINT + "=" + fingerprint, "LABEL " + FINGERPRINT + ".for="
        + nameAndTag);
    if (nameAndTag.equals(JRE)) {
      makeJre(tag, labels);
    } else {
      makeMaven(tag, base, labels);
    }
    report.put(nameAndTag, "stand-in " + tag + " made in " + Duration.ofNanos(System.nanoTime() - start).toSeconds()
        + " s");
    return tag;
  }

  private static String withoutDigest(String reference) {
    return reference.replaceFirst("@sha256:[0-9a-f]+$", "");
  }

  private static String debootstrapPackages() {
    List<String> packages = new ArrayList<>(List.of("openjdk-17-jre-headless"));
    packages.addAll(TEMURIN_PACKAGES);
    return String.join(",", packages);
  }

  private static String jreRecipe() {
    return "debootstrap --variant=minbase --include=" + debootstrapPackages() + " " + SUITE
        + "\nlocale-gen en_US.UTF-8\n"
        + String.join("\n", TEMURIN_ENV);
  }

  /** Debian's root file system with the JRE and the real image's packages, imported as an image. */
  private void makeJre(String tag, List<String> labels) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory(work, "rootfs");
    Path root = dir.resolve("root");
    try {
      Command.run(podman.log("debootstrap"), MAKE, List.of("debootstrap", "--variant=minbase",
          "--include=" + debootstrapPackages(), SUITE, root.toString(), MIRROR)).ok();
      Files.writeString(root.resolve("etc/locale.gen"), "en_US.UTF-8 UTF-8\n");
      Command.run(podman.log("locale-gen"), MAKE, List.of("chroot", root.toString(), "locale-gen")).ok();
      deleteFiles(root.resolve("var/cache/apt/archives"), ".deb");
      deleteFiles(root.resolve("var/lib/apt/lists"), "");
      // /usr/lib/jvm/java-17-openjdk-ARCH/bin/java: JAVA_HOME as the real image sets it (to its own JDK).
      String java = Files.readSymbolicLink(root.resolve("etc/alternatives/java")).toString();
      List<String> changes = new ArrayList<>(TEMURIN_ENV);
      changes.add("ENV JAVA_HOME=" + java.substring(0, java.length() - "/bin/java".length()));
      changes.add("CMD [\"/bin/bash\"]");
      changes.addAll(labels);
      podman.importRootfs(root, changes, tag).ok();
    } finally {
      // --one-file-system: should debootstrap have died with /proc or /sys mounted inside, they are not emptied.
      Command.run(podman.log("rm-rootfs"), MAKE, List.of("rm", "-rf", "--one-file-system", dir.toString())).ok();
    }
  }

  /** The downloaded packages and package lists debootstrap leaves: the real image keeps neither. */
  private static void deleteFiles(Path dir, String suffix) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> Files.isRegularFile(f) && f.toString().endsWith(suffix)).toList()) {
        Files.delete(file);
      }
    }
  }

  private String mavenRecipe(String jreTag) throws IOException, InterruptedException {
    String jreId = podman.run(Duration.ofMinutes(1), "image", "inspect", "--format", "{{.Id}}", jreTag).ok().answer();
    return "FROM " + jreId + "\n" + mavenContainerfile("") + "\ncacerts "
        + sha256(Files.readAllBytes(hostTrustStore()));
  }

  /**
   * Maven and the JDK from Debian on the JRE stand-in, with the Java trust store of the JVM running this test: the
   * image's Maven downloads from Maven Central through whatever this machine's egress presents (PLATFORM.md: a
   * build stage that runs Maven needs the host's CA bundle).
   */
  private static String mavenContainerfile(String from) {
    return from + "RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq"
        + " --no-install-recommends maven openjdk-17-jdk-headless >/dev/null && apt-get clean && rm -rf /var/lib/apt/lists/*\n"
        + "COPY cacerts /etc/ssl/certs/java/cacerts\n"
        + "ENV MAVEN_HOME=/usr/share/maven MAVEN_CONFIG=/root/.m2\n";
  }

  private void makeMaven(String tag, String jreTag, List<String> labels) throws IOException, InterruptedException {
    Path context = Files.createTempDirectory(work, "maven");
    Files.copy(hostTrustStore(), context.resolve("cacerts"));
    Files.writeString(context.resolve("Containerfile"),
        mavenContainerfile("FROM " + jreTag + "\n") + String.join("\n", labels) + "\n");
    List<String> args = new ArrayList<>(List.of("build", "--network", "host", "--pull=never", "--format", "docker"));
    args.addAll(Podman.ULIMITS);
    args.addAll(List.of("-t", tag, context.toString()));
    podman.run(MAKE, args.toArray(String[]::new)).ok();
  }

  private static Path hostTrustStore() throws IOException {
    return Path.of(System.getProperty("java.home"), "lib", "security", "cacerts").toRealPath();
  }

  /** Docker's reading of a short name: {@code maven:3} is {@code docker.io/library/maven:3}. */
  static String qualified(String reference) {
    String first = reference.split("/", 2)[0];
    boolean hasRegistry = reference.contains("/") && (first.contains(".") || first.contains(":")
        || first.equals("localhost"));
    if (hasRegistry) {
      return reference;
    }
    return "docker.io/" + (reference.contains("/") ? "" : "library/") + reference;
  }

  private static String ownCode() {
    try (var in = BaseImages.class.getResourceAsStream(BaseImages.class.getSimpleName() + ".class")) {
      return sha256(in.readAllBytes());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String sha256(String text) {
    return sha256(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
