package io.launchworker.poll;

import io.launchworker.config.AwsClients;
import io.launchworker.config.ReceiveClient;
import io.launchworker.config.WorkerConfig;
import io.launchworker.launch.AccountFaultPause;
import io.launchworker.launch.ConsistencyWindow;
import io.launchworker.launch.KnownGoodLaunch;
import io.launchworker.launch.PauseProbe;
import io.launchworker.settle.ErrorClass;
import java.util.concurrent.atomic.AtomicReference;
import io.launchworker.launch.Ec2Budget;
import io.launchworker.launch.Ec2Port;
import io.launchworker.launch.HourlyInstanceCap;
import io.launchworker.launch.LaunchHandler;
import io.launchworker.launch.SdkEc2Port;
import io.launchworker.message.DecisionListener;
import io.launchworker.message.InFlightRegistry;
import io.launchworker.ops.WorkerMetrics;
import io.launchworker.request.RequestReader;
import io.launchworker.request.RunInstancesMapper;
import io.launchworker.settle.DeadLetterQueue;
import io.launchworker.settle.DeleteBatcher;
import io.launchworker.settle.Ec2ErrorClassifier;
import io.launchworker.settle.ResultEvents;
import io.launchworker.settle.RetryBackoff;
import io.launchworker.settle.Settler;
import io.launchworker.settle.TokenSignature;
import io.launchworker.settle.VisibilityKeeper;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Builds a {@link Worker} from its configuration and its outside world (the SDK clients, the EC2 budget, the
 * meters, time and randomness): every part, wired once, in one place. {@code run}, the sandbox, the bench and the
 * tests all assemble their workers here; tests reach in only through the options below (a decorated EC2 port,
 * a fake clock, listeners). Not thread-safe; build on one thread.
 *
 * <pre>{@code
 * Worker worker = WorkerAssembly.forConfig(config).sqs(sqs).ec2(ec2).budget(budget).metrics(metrics).build();
 * }</pre>
 */
public final class WorkerAssembly {
  private static final Logger log = LoggerFactory.getLogger(WorkerAssembly.class);
  /** Readiness allows this much beyond one long poll before calling a silent poller broken. */
  private static final Duration READINESS_MARGIN = Duration.ofSeconds(10);
  /**
   * A worker holds at most the messages its RunInstances rate launches in this long (and never more than
   * max-in-flight): enough for calls that take seconds, few enough that a replica with a small share of the
   * account's budget leaves the backlog to the others.
   */
  static final Duration BUDGET_HORIZON = Duration.ofSeconds(10);

  private final WorkerConfig config;
  private SqsClient sqs;
  private ReceiveClient receiver;
  private Ec2Port ec2Port;
  private Ec2Client ec2Client;
  private UnaryOperator<Ec2Port> decorateEc2 = UnaryOperator.identity();
  private Ec2Budget budget;
  private WorkerMetrics metrics;
  private Clock clock = Clock.systemUTC();
  private RandomGenerator random = new SecureRandom();
  private final List<DecisionListener> listeners = new ArrayList<>();
  private ConsistencyWindow.Waiter consistencyWaiter;
  private java.util.OptionalInt maxReceiveCount;
  private java.util.concurrent.ExecutorService handlerExecutor;
  private java.util.OptionalInt receiveAhead = java.util.OptionalInt.empty();

  private WorkerAssembly(WorkerConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  public static WorkerAssembly forConfig(WorkerConfig config) {
    return new WorkerAssembly(config);
  }

  /** Required: the SQS client for the source queue, the DLQ and the results queue. */
  public WorkerAssembly sqs(SqsClient client) {
    this.sqs = Objects.requireNonNull(client, "sqs");
    return this;
  }

  /**
   * The poller's own SQS client, whose long poll a stop ends at once. Default: the {@link #sqs} client, whose long
   * poll a stop waits out (at most {@code launcher.sqs.wait-time}).
   */
  public WorkerAssembly receiver(ReceiveClient client) {
    this.receiver = Objects.requireNonNull(client, "receiver");
    return this;
  }

  /** The SDK clients of a process (see {@link AwsClients}). */
  public WorkerAssembly clients(AwsClients clients) {
    return sqs(clients.sqs()).receiver(clients.receiver()).ec2(clients.ec2());
  }

  /** The EC2 client; the worker talks to it through a timed {@link SdkEc2Port}. This or {@link #ec2(Ec2Port)}. */
  public WorkerAssembly ec2(Ec2Client client) {
    this.ec2Client = Objects.requireNonNull(client, "ec2");
    return this;
  }

  /** A ready EC2 port instead of a client (an emulator-specific or recording port). */
  public WorkerAssembly ec2(Ec2Port port) {
    this.ec2Port = Objects.requireNonNull(port, "ec2");
    return this;
  }

  /** Wraps the EC2 port the worker uses (tests: lose answers, lag look-ups, crash after a launch). */
  public WorkerAssembly decorateEc2(UnaryOperator<Ec2Port> decorator) {
    this.decorateEc2 = Objects.requireNonNull(decorator, "decorator");
    return this;
  }

  /** The EC2 call budget; the same instance must feed the EC2 client's {@code Ec2CallObserver}. Default: config. */
  public WorkerAssembly budget(Ec2Budget value) {
    this.budget = Objects.requireNonNull(value, "budget");
    return this;
  }

  /** Required: where the worker's meters go. */
  public WorkerAssembly metrics(WorkerMetrics value) {
    this.metrics = Objects.requireNonNull(value, "metrics");
    return this;
  }

  public WorkerAssembly clock(Clock value) {
    this.clock = Objects.requireNonNull(value, "clock");
    return this;
  }

  /** The source of back-off jitter. Default: a {@link SecureRandom}. */
  public WorkerAssembly random(RandomGenerator value) {
    this.random = Objects.requireNonNull(value, "random");
    return this;
  }

  /**
   * How handlers wait in the worker's time: for the consistency window, and for their own launches to show in the
   * hourly cap's count. Default: short sleeps (the window) and the cap's monitor, on the handler thread.
   */
  public WorkerAssembly consistencyWaiter(ConsistencyWindow.Waiter waiter) {
    this.consistencyWaiter = Objects.requireNonNull(waiter, "waiter");
    return this;
  }

  /** The source queue's redrive {@code maxReceiveCount}. Default: read from SQS when the worker is built. */
  public WorkerAssembly maxReceiveCount(java.util.OptionalInt value) {
    this.maxReceiveCount = Objects.requireNonNull(value, "maxReceiveCount");
    return this;
  }

  /**
   * Where handlers run. Default: {@code max-in-flight} threads named {@code launch-handler-N}. A simulation passes
   * an executor that runs each piece of work under its own scheduler.
   */
  WorkerAssembly handlerExecutor(java.util.concurrent.ExecutorService executor) {
    this.handlerExecutor = Objects.requireNonNull(executor, "executor");
    return this;
  }

  /** Messages received ahead of a free handler. Default: {@link #receiveAheadFor(int)} of {@code max-in-flight}. */
  WorkerAssembly receiveAhead(int messages) {
    if (messages < 0 || messages > MAX_RECEIVE_AHEAD) {
      throw new IllegalArgumentException("receive-ahead must be within 0.." + MAX_RECEIVE_AHEAD + ", got " + messages);
    }
    this.receiveAhead = java.util.OptionalInt.of(messages);
    return this;
  }

  /**
   * How many messages a worker with {@code maxInFlight} handlers receives ahead of a free one: a sixteenth of them, at
   * most one receive's worth. Handlers free up {@code maxInFlight / latency} times a second, so a sixteenth covers
   * what frees up in a sixteenth of a launch's latency (78 ms at 1.25 s), several SQS round trips; with fewer than
   * 16 handlers none (such a worker is bound by EC2's call rate, not by its receives, and holds no message that
   * another replica could start now).
   */
  static int receiveAheadFor(int maxInFlight) {
    return Math.min(MAX_RECEIVE_AHEAD, maxInFlight / 16);
  }

  /** SQS hands out at most 10 messages per receive. */
  private static final int MAX_RECEIVE_AHEAD = 10;

  /** Told of every settled message on the handler thread (status page, tests); must not block. */
  public WorkerAssembly listener(DecisionListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    return this;
  }

  public WorkerAssembly listeners(List<? extends DecisionListener> more) {
    more.forEach(this::listener);
    return this;
  }

  /** Wires every part; the worker is not started. */
  public Worker build() {
    return new Worker(buildParts());
  }

  /**
   * Every part, wired, with no thread started: what {@link Worker} runs with its threads, and what a simulation
   * drives step by step on its own clock.
   */
  Worker.Parts buildParts() {
    Objects.requireNonNull(sqs, "sqs client not set");
    Objects.requireNonNull(metrics, "metrics not set");
    if (ec2Port == null && ec2Client == null) {
      throw new IllegalStateException("an EC2 client or port must be set");
    }
    Ec2Budget ec2Budget = budget != null ? budget : Ec2Budget.of(config.ec2());
    Ec2Port ec2 = decorateEc2.apply(ec2Port != null ? ec2Port : new SdkEc2Port(ec2Client, metrics, clock));
    AtomicBoolean stopping = new AtomicBoolean();
    InFlightRegistry registry = new InFlightRegistry();
    int ahead = receiveAhead.orElse(receiveAheadFor(config.maxInFlight()));
    // One permit per message held, from receive to settled: the handlers' and those received ahead of them.
    Semaphore permits = new Semaphore(config.maxInFlight() + ahead);

    Ec2ErrorClassifier classifier = new Ec2ErrorClassifier();
    metrics.expectAccountFaults(classifier.accountFaultCodes());
    // The cap's count failing for the account pauses launching as any other account fault does.
    AtomicReference<AccountFaultPause> pauseRef = new AtomicReference<>();
    HourlyInstanceCap cap = new HourlyInstanceCap(config.policy().maxInstancesPerHour(), ec2, ec2Budget, clock,
        metrics, e -> {
          ErrorClass error = classifier.classify(e);
          if (error.action() == ErrorClass.Action.ACCOUNT_FAULT && pauseRef.get() != null) {
            metrics.accountFault(error.code());
            pauseRef.get().faulted(error.code(), String.valueOf(e.getMessage()), "DescribeInstances");
          }
        }, Optional.ofNullable(consistencyWaiter));
    metrics.capGauges(cap::usedInLastHour, () -> cap.binding() ? 1 : 0);
    TokenSignature signatures = TokenSignature.of(config.tokenKeys().current(), config.tokenKeys().previous());
    if (!signatures.enabled()) {
      log.warn("launcher.token-key is {}: the launch-worker-token attribute is honoured unsigned, so anyone who can "
          + "write to the queue can set it (outcomes of such messages name no instances); set LAUNCHER_TOKEN_KEY to "
          + "have the worker sign it", config.tokenKeys().unsigned() ? "\"none\"" : "not set");
    }
    KnownGoodLaunch knownGood = new KnownGoodLaunch(cap::newestCountedLaunch);
    AccountFaultPause accountPause = new AccountFaultPause(clock, config.retry().baseDelay(),
        config.retry().accountFaultDelay(), fault -> PauseProbe.quiet(fault, knownGood));
    pauseRef.set(accountPause);
    metrics.accountPausedGauge(() -> accountPause.current().isPresent() ? 1 : 0);
    java.util.OptionalInt receiveLimit = maxReceiveCount != null ? maxReceiveCount
        : QueueRedrive.maxReceiveCount(sqs, config.queueUrl());
    QueueRedrive.tooTight(receiveLimit, config.maxAttempts()).ifPresent(log::warn);
    ConsistencyWindow window = consistencyWaiter == null
        ? ConsistencyWindow.system(config.retry().consistencyWindow(), clock)
        : new ConsistencyWindow(config.retry().consistencyWindow(), clock, consistencyWaiter);
    LaunchHandler launcher = new LaunchHandler(new RequestReader(config.policy(), config.defaults()),
        new RunInstancesMapper(config.defaults()), ec2, classifier,
        new RetryBackoff(config.retry(), random), ec2Budget, cap, config.maxRequestAge(), config.maxAttempts(),
        accountPause, signatures, metrics, new LaunchHandler.Doubting(window, knownGood, receiveLimit));
    metrics.consistencyWaitingGauge(launcher::waitingForConsistency);
    PauseProbe pauseProbe = new PauseProbe(accountPause, ec2, ec2Budget, knownGood, classifier, stopping::get);

    DeleteBatcher deletes = new DeleteBatcher(sqs, config.queueUrl(), metrics);
    Settler settler = new Settler(sqs, config.queueUrl(), deletes,
        new DeadLetterQueue(sqs, config.dlqUrl(), metrics, signatures),
        config.resultsQueueUrl().map(url -> new ResultEvents(sqs, url)), config.maxAttempts(), metrics, clock,
        receiveLimit);
    VisibilityKeeper keeper = new VisibilityKeeper(sqs, config.queueUrl(), registry,
        config.sqs().visibilityTimeout(), config.sqs().extendWhenRemaining(), clock, metrics);
    // Readiness says why nothing may launch now: an account fault, or an hourly cap not yet counted from EC2.
    Readiness readiness = new Readiness(clock, config.sqs().waitTime().plus(READINESS_MARGIN),
        accountPause::pausedBecause, cap::notReadyBecause);
    metrics.readinessGauges(Readiness.Reason.tags(), () -> readiness.reason().tag());
    Liveness liveness = new Liveness(clock, Liveness.limitFor(config.sqs().waitTime().plus(READINESS_MARGIN),
        AwsClients.CALL_TIMEOUT), stopping::get);
    WorkerStatus status = new WorkerStatus(readiness, liveness,
        () -> new WorkerStatus.CapUse(cap.binding(), cap.usedInLastHour(), cap.maxPerHour()),
        launcher::waitingForConsistency);

    MessageRun run = new MessageRun(launcher, settler, listeners, registry, permits, clock, stopping::get);
    HandlerPool handlers = new HandlerPool(handlerExecutor != null ? handlerExecutor
        : Executors.newFixedThreadPool(config.maxInFlight(), named("launch-handler-")), config.maxInFlight(),
        run::release);
    Dispatch dispatch = Dispatch.forQueue(config.queueUrl(), handlers, run);
    Poller poller = new Poller(receiver != null ? receiver.sqs() : sqs, receiver != null ? receiver::stop : () -> { },
        config.queueUrl(), permits, registry, dispatch::dispatch, run::release,
        config.sqs().waitTime(), config.sqs().visibilityTimeout(), config.sqs().receiveErrorBackoff(),
        config.sqs().receiveErrorBackoffMax(), clock, d -> Thread.sleep(d.toMillis()), metrics, readiness,
        () -> cap.hasRoomFor(1), accountPause, liveness);
    // Every message held counts, those received ahead of a free handler included.
    poller.limitToBudget(() -> ec2Budget.runInstances().room(registry.size(), BUDGET_HORIZON));
    // Registered from receive, so that the keeper extends them; in flight only once a handler has them.
    metrics.inFlightGauge(() -> Math.max(0, registry.size() - handlers.waitingMessages()));
    metrics.receivedAheadGauge(handlers::waitingMessages);
    metrics.ec2RateGauges("RunInstances", ec2Budget.runInstances()::currentRate,
        ec2Budget.runInstances()::ceilingRate);
    metrics.ec2RateGauges("Describe", ec2Budget.describe()::currentRate, ec2Budget.describe()::ceilingRate);
    QueueDepths queueDepths = new QueueDepths(sqs, Map.of("source", config.queueUrl(), "dlq", config.dlqUrl()),
        metrics);

    return new Worker.Parts(config, clock, stopping, registry, readiness, poller,
        named("sqs-poller").newThread(poller), handlers, run, keeper,
        Executors.newSingleThreadScheduledExecutor(named("visibility-keeper")),
        Executors.newSingleThreadScheduledExecutor(named("worker-scheduler")), deletes, queueDepths, cap,
        ec2Budget::wakeWaiters, pauseProbe, launcher, settler, accountPause, status);
  }

  static ThreadFactory named(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix.endsWith("-") ? prefix + n.incrementAndGet() : prefix);
      t.setDaemon(true);
      return t;
    };
  }
}
