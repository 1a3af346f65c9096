package io.launchworker.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.launchworker.config.AwsClients;
import io.launchworker.config.ProducerConfig;
import io.launchworker.request.RequestReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * {@code enqueue}: sends launch requests to the worker's queue, each checked first with the worker's own
 * validator, policy and default tags (as far as {@code --config} and the environment give them), so a request
 * the worker would reject is reported here with its line number and never sent. Prints one line per sent
 * request to stdout: line number, message ID and the request's client token (or its message ID), tab-separated,
 * under a header line naming the columns when it runs on a terminal.
 * Ctrl-C stops it after the call in progress, with a summary of the lines sent and not sent. Exit code 0 when every
 * request was sent, 1 when a line was bad or a send failed, 2 for bad usage or configuration (also no region or
 * credentials, an endpoint that does not answer, a queue that does not exist), 130 when Ctrl-C stopped it.
 */
@Command(name = "enqueue", sortOptions = false,
    description = {"Validate launch requests with the worker's own rules and send them to the queue.",
        "Input: --file (JSON lines, a JSON array, or one JSON object; - for stdin), the request flags, or "
            + "JSON piped on stdin.",
        "Prints: line number, message ID and client token of each request sent, tab-separated.",
        "Give it the worker's --config: the policy and launcher.defaults.tags checked here are only those of "
            + "--config, the environment and the built-in defaults; default tags count towards a request's 47."})
final class EnqueueCommand implements Callable<Integer> {
  /** Tries per entry when SQS reports it failed through no fault of the request. */
  static final int MAX_TRIES = 3;
  /** Names the columns of the lines printed for sent requests, on a terminal. */
  static final String HEADER = "line\tmessage ID\tclient token";
  private static final Duration RETRY_DELAY = Duration.ofMillis(200);

  /** Creates the SQS client from the region and endpoint, if given; the SDK's chain decides the rest. */
  interface SqsClients {
    SqsClient create(Optional<String> region, Optional<URI> endpoint);
  }

  @Mixin
  ConfigOption config;

  @Option(names = "--queue-url", paramLabel = "URL",
      description = "Queue to send to. Default: LAUNCHER_QUEUE_URL, else launcher.queue-url of --config.")
  String queueUrl;

  @Option(names = "--file", paramLabel = "FILE",
      description = "JSON lines, a JSON array of requests, or one request object; - reads stdin.")
  String file;

  @Option(names = "--image-id", paramLabel = "AMI", description = "Request from flags: the image to launch.")
  String imageId;

  @Option(names = "--instance-type", paramLabel = "TYPE", description = "Request from flags: such as t3.micro. "
      + "Repeat it to list types in order of preference (instanceTypes): the worker launches the first EC2 has "
      + "capacity for.")
  List<String> instanceTypes = new ArrayList<>();

  @Option(names = "--subnet-id", paramLabel = "SUBNET", description = "Request from flags: its subnet; repeat it to "
      + "list subnets in order of preference (subnetIds).")
  List<String> subnetIds = new ArrayList<>();

  @Option(names = "--market", paramLabel = "MARKET",
      description = "Request from flags: on-demand (the default), spot or spot-then-on-demand.")
  String market;

  @Option(names = "--spot-max-price", paramLabel = "USD",
      description = "Request from flags: the highest Spot price per hour, such as 0.05 (with --market spot...).")
  String spotMaxPrice;

  @Option(names = "--root-volume-gib", paramLabel = "GIB",
      description = "Request from flags: the root volume's size (gp3, encrypted).")
  Integer rootVolumeGib;

  @Option(names = "--count", paramLabel = "N", description = "Request from flags: minCount = maxCount = N.")
  Integer count;

  @Option(names = "--tag", paramLabel = "KEY=VALUE", description = "Request from flags: a tag (repeatable).")
  Map<String, String> tags = new LinkedHashMap<>();

  @Option(names = "--client-token", paramLabel = "TOKEN", description = "Request from flags: its clientToken.")
  String clientToken;

  @Option(names = "--client-token-from", paramLabel = "FIELD",
      description = "Set each request's clientToken from this field (e.g. requestId or tags.job), so sending "
          + "the same input again launches nothing new. Values that are not 1-64 printable ASCII characters "
          + "become sha256- plus a digest.")
  String clientTokenFrom;

  @Option(names = "--message-group-id", paramLabel = "GROUP",
      description = "For a FIFO queue (.fifo): the MessageGroupId of every request sent (required there). Each "
          + "request's de-duplication ID is its clientToken, else its body when that is 1-64 printable ASCII "
          + "characters, else sha256- plus a digest of the body.")
  String messageGroupId;

  @Option(names = "--endpoint-url", paramLabel = "URL",
      description = "SQS endpoint (e.g. http://localhost:4566). Default: launcher.aws.sqs-endpoint, else the "
          + "SDK's chain (AWS_ENDPOINT_URL_SQS, AWS_ENDPOINT_URL).")
  URI endpointUrl;

  @Option(names = "--region", paramLabel = "REGION",
      description = "AWS region. Default: launcher.aws.region, else the SDK's chain (AWS_REGION, profile).")
  String region;

  @Spec
  CommandSpec spec;

  private final Supplier<InputStream> stdin;
  private final Map<String, String> env;
  private final boolean terminal;
  private final SqsClients clients;
  private final BatchSender.Pause pause;
  private final Supplier<StopRequest> ctrlC;

  EnqueueCommand() {
    this(() -> System.in, System.getenv(), System.console() != null, EnqueueCommand::defaultClient,
        d -> Thread.sleep(d.toMillis()), CtrlC::watch);
  }

  EnqueueCommand(Supplier<InputStream> stdin, Map<String, String> env, boolean terminal, SqsClients clients,
      BatchSender.Pause pause) {
    this(stdin, env, terminal, clients, pause, CtrlC::watch);
  }

  /**
   * @param terminal stdin and stdout are a terminal ({@code System.console()}): a progress bar and a header line
   *     are worth drawing, and with no input given there is nobody piping requests in
   * @param ctrlC watches for Ctrl-C while requests are sent
   */
  EnqueueCommand(Supplier<InputStream> stdin, Map<String, String> env, boolean terminal, SqsClients clients,
      BatchSender.Pause pause, Supplier<StopRequest> ctrlC) {
    this.stdin = stdin;
    this.env = env;
    this.terminal = terminal;
    this.clients = clients;
    this.pause = pause;
    this.ctrlC = ctrlC;
  }

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    boolean fromFlags = imageId != null || !instanceTypes.isEmpty() || count != null || !tags.isEmpty()
        || clientToken != null || !subnetIds.isEmpty() || market != null || spotMaxPrice != null
        || rootVolumeGib != null;
    if (fromFlags && file != null) {
      throw usage("--file and the request flags (--image-id, --instance-type, --subnet-id, --market, "
          + "--spot-max-price, --root-volume-gib, --count, --tag, --client-token) exclude each other");
    }
    if (!fromFlags && file == null && terminal) {
      throw usage("no requests: give --file FILE, the request flags, or pipe JSON lines on stdin");
    }
    Optional<ClientTokenField> tokenFrom;
    try {
      tokenFrom = Optional.ofNullable(clientTokenFrom).map(ClientTokenField::parse);
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
    ProducerConfig settings = ProducerConfig.load(Optional.ofNullable(config.file), env);
    String queue = Optional.ofNullable(queueUrl).or(settings::queueUrl).orElseThrow(() -> usage(
        "no queue: give --queue-url, or set LAUNCHER_QUEUE_URL or launcher.queue-url in --config"));
    if (queue.endsWith(".fifo") && messageGroupId == null) {
      throw usage("the queue is FIFO: give --message-group-id GROUP");
    }

    List<InputRequests.Line> lines;
    try {
      lines = fromFlags ? List.of(new InputRequests.Line(1, flagsBody())) : InputRequests.split(readInput(),
          file != null && (file.endsWith(".jsonl") || file.endsWith(".ndjson")));
    } catch (InputRequests.UnreadableInput e) {
      err.println("enqueue: line " + e.line + ": " + e.getMessage() + "; nothing sent");
      return 1;
    }

    RequestPreparer preparer = new RequestPreparer(new RequestReader(settings.policy(), settings.defaults()), tokenFrom);
    List<RequestPreparer.Ready> ready = new ArrayList<>();
    int bad = 0;
    for (InputRequests.Line line : lines) {
      RequestPreparer.Prepared prepared = preparer.prepare(line);
      if (prepared instanceof RequestPreparer.Bad b) {
        err.println("enqueue: line " + b.line() + ": " + b.reason() + "; not sent");
        bad++;
      } else {
        ready.add((RequestPreparer.Ready) prepared);
      }
    }

    AwsSetup setup = new AwsSetup(AwsSetup.Service.SQS, env,
        new AwsSetup.Flags(true, Optional.ofNullable(region), Optional.ofNullable(endpointUrl)), true,
        settings.region(), settings.sqsEndpoint(), Optional.of(new AwsSetup.Setting(queue, queueUrl != null
            ? "--queue-url" : env.containsKey("LAUNCHER_QUEUE_URL") ? "LAUNCHER_QUEUE_URL" : "launcher.queue-url")));
    List<Integer> sent = new ArrayList<>();
    int failed = 0;
    boolean finished = true;
    if (!ready.isEmpty()) {
      Progress progress = Progress.choose(terminal, ready.size(), err);
      if (terminal) {
        // For a reader only: a script (stdout not a terminal) gets the bare tab-separated lines.
        progress.println(out, HEADER);
      }
      List<BatchSender.Result> results = new ArrayList<>();
      try (SqsClient sqs = create(setup); StopRequest stop = ctrlC.get()) {
        finished = new BatchSender(sqs, queue, Optional.ofNullable(messageGroupId), MAX_TRIES, RETRY_DELAY, pause)
            .send(ready, progress, result -> {
              results.add(result);
              if (result instanceof BatchSender.Sent s) {
                progress.println(out, s.line() + "\t" + s.messageId() + "\t" + s.clientToken());
              } else {
                BatchSender.Failed f = (BatchSender.Failed) result;
                progress.println(err, "enqueue: line " + f.line() + ": " + (f.maybeSent()
                    ? "may or may not have been sent: " : "not sent: ") + f.reason());
              }
            }, stop::requested);
      } catch (SdkException e) {
        throw setup.explain(e).orElseThrow(() -> e);
      } finally {
        progress.finish();
      }
      results.stream().filter(r -> r instanceof BatchSender.Sent).forEach(r -> sent.add(r.line()));
      failed = results.size() - sent.size();
      if (!finished) {
        List<Integer> unsent = ready.stream().map(RequestPreparer.Ready::line).skip(results.size()).toList();
        err.println("enqueue: interrupted: lines sent: " + LineRanges.of(sent) + "; not sent: "
            + LineRanges.of(unsent) + " (send those again; with client tokens a rerun of all is harmless too)");
      }
    }
    out.flush();
    err.println("enqueue: " + sent.size() + " sent, " + bad + " bad, " + failed + " failed, "
        + (finished ? "" : (ready.size() - sent.size() - failed) + " not sent (interrupted), ") + "of "
        + lines.size() + " requests");
    if (!finished) {
      return ServiceCommand.EXIT_INTERRUPTED;
    }
    return bad == 0 && failed == 0 ? ServiceCommand.EXIT_OK : ServiceCommand.EXIT_FAILED;
  }

  /** The client, or the set-up problem that keeps it from being made (no region, no credentials). */
  private SqsClient create(AwsSetup setup) {
    try {
      return clients.create(Optional.ofNullable(region).or(setup::configRegion),
          Optional.ofNullable(endpointUrl).or(setup::configEndpoint));
    } catch (SdkException e) {
      throw setup.explain(e).orElseThrow(() -> e);
    }
  }

  private String flagsBody() {
    JsonNodeFactory nodes = JsonNodeFactory.instance;
    ObjectNode body = nodes.objectNode();
    Optional.ofNullable(imageId).ifPresent(v -> body.put("imageId", v));
    list(body, "instanceType", "instanceTypes", instanceTypes);
    Optional.ofNullable(count).ifPresent(n -> body.put("minCount", n).put("maxCount", n));
    list(body, "subnetId", "subnetIds", subnetIds);
    Optional.ofNullable(market).ifPresent(v -> body.put("market", v));
    Optional.ofNullable(spotMaxPrice).ifPresent(v -> body.put("spotMaxPrice", v));
    Optional.ofNullable(rootVolumeGib).ifPresent(v -> body.putObject("rootVolume").put("sizeGiB", v));
    if (!tags.isEmpty()) {
      ObjectNode tagNode = body.putObject("tags");
      tags.forEach(tagNode::put);
    }
    Optional.ofNullable(clientToken).ifPresent(v -> body.put("clientToken", v));
    return body.toString();
  }

  /** One value as {@code single}, several (in the order given) as the list field {@code several}. */
  private static void list(ObjectNode body, String single, String several, List<String> values) {
    if (values.size() == 1) {
      body.put(single, values.get(0));
    } else if (values.size() > 1) {
      values.forEach(body.putArray(several)::add);
    }
  }

  private String readInput() {
    try {
      if (file == null || file.equals("-")) {
        return new String(stdin.get().readAllBytes(), StandardCharsets.UTF_8);
      }
      Path path = Path.of(file);
      if (!Files.isRegularFile(path)) {
        throw usage("--file " + file + ": no such file");
      }
      return Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + (file == null ? "stdin" : file), e);
    }
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }

  /** The SDK's client; credentials are looked up now, so missing ones are reported before any line is read as sent. */
  private static SqsClient defaultClient(Optional<String> region, Optional<URI> endpoint) {
    DefaultCredentialsProvider credentials = DefaultCredentialsProvider.builder().build();
    credentials.resolveCredentials();
    return AwsClients.sqs(region, endpoint, credentials, 8);
  }
}
