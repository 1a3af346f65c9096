package io.launchworker.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The AWS operations the worker's source code calls, found by reading it: in the worker's packages, every
 * variable declared as an SDK client, then every {@code variable.method(} call on it. Catches an operation added
 * in code that no scenario exercises. {@code close} is not an operation; {@code fooPaginator} is {@code Foo}.
 */
final class SdkCallSites {
  /** The packages a running worker's calls come from; cli, sandbox, bench and audit are other commands. */
  static final Set<String> WORKER_PACKAGES = Set.of("poll", "launch", "settle", "ops", "config");
  private static final Map<String, String> CLIENT_TYPES = Map.of(
      "SqsClient", "sqs", "Ec2Client", "ec2", "CloudWatchClient", "cloudwatch");
  private static final Pattern DECLARATION =
      Pattern.compile("\\b(SqsClient|Ec2Client|CloudWatchClient)\\s+(\\w+)\\s*[;,)=]");

  private SdkCallSites() {}

  /** "service:Operation" for every call site. */
  static Set<String> operations(Path sources) {
    Set<String> operations = new TreeSet<>();
    for (String pkg : WORKER_PACKAGES) {
      try (Stream<Path> files = Files.walk(sources.resolve(pkg))) {
        files.filter(f -> f.toString().endsWith(".java")).forEach(f -> operations.addAll(inFile(read(f))));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return operations;
  }

  static Set<String> inFile(String source) {
    Set<String> operations = new TreeSet<>();
    Matcher declared = DECLARATION.matcher(source);
    while (declared.find()) {
      String service = CLIENT_TYPES.get(declared.group(1));
      Matcher call = Pattern.compile("\\b" + Pattern.quote(declared.group(2)) + "\\.(\\w+)\\(").matcher(source);
      while (call.find()) {
        String method = call.group(1).replaceFirst("Paginator$", "");
        if (!method.equals("close") && !method.equals("serviceName")) {
          operations.add(service + ":" + Character.toUpperCase(method.charAt(0)) + method.substring(1));
        }
      }
    }
    return operations;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
