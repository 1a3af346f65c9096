package io.launchworker.poll;

import io.launchworker.config.WorkerConfig;
import io.launchworker.launch.AccountFaultPause;
import io.launchworker.launch.Ec2Budget;
import io.launchworker.launch.Ec2Port;
import io.launchworker.launch.HourlyInstanceCap;
import io.launchworker.launch.LaunchHandler;
import io.launchworker.ops.WorkerMetrics;
import io.launchworker.request.RequestReader;
import io.launchworker.request.RunInstancesMapper;
import io.launchworker.settle.DeadLetterQueue;
import io.launchworker.message.Decision;
import io.launchworker.message.DecisionListener;
import io.launchworker.message.OutcomeKind;
import io.launchworker.settle.ResultEvents;
import io.launchworker.settle.DeleteBatcher;
import io.launchworker.settle.Ec2ErrorClassifier;
import io.launchworker.message.InFlightMessage;
import io.launchworker.message.InFlightRegistry;
import io.launchworker.message.Outcome;
import io.launchworker.settle.RetryBackoff;
import io.launchworker.settle.Settler;
import io.launchworker.settle.TokenSignature;
import io.launchworker.settle.VisibilityKeeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The running worker: one poller, a bounded pool of handlers, and a scheduler for the visibility keeper and
 * delete flushes. See {@code CONCURRENCY.md} for who owns which thread.
 *
 * <p>Threads: {@code sqs-poller} (one, receives and dispatches), {@code launch-handler-N} (max-in-flight of
 * them, one message each from start to settled), {@code worker-scheduler} (one, keeper ticks and delete
 * flushes). Back-pressure: a semaphore of max-in-flight permits; the poller takes one per message before it
 * receives, the handler releases it in {@code finally} after the message is settled.
 *
 * <p>Shutdown ({@link #shutdown()}): stop receiving (the receive in progress still completes, at most the
 * long-poll wait, and what it brings is released at once); handlers finish their messages within the grace
 * period, a handler that has not yet called EC2 releases its message instead (visibility 0); deletes are
 * flushed. Messages still running after the grace are left to their visibility timeout: their token makes the
 * next attempt safe.
 */
public final class Worker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Worker.class);
  /** The longest the final delete flush may take after the grace: SQS may be the reason it is slow. */
  private static final Duration FINAL_FLUSH = Duration.ofSeconds(5);
  /** How often queue depths are read; GetQueueAttributes is cheap but not free. */
  private static final Duration QUEUE_DEPTH_INTERVAL = Duration.ofSeconds(30);
  /** Readiness allows this much beyond one long poll before calling a silent poller broken. */
  private static final Duration READINESS_MARGIN = Duration.ofSeconds(10);

  private final WorkerConfig config;
  private final Clock clock;
  private final WorkerMetrics metrics;
  private final InFlightRegistry registry = new InFlightRegistry();
  private final Semaphore permits;
  private final LaunchHandler launcher;
  private final HourlyInstanceCap cap;
  private final Settler settler;
  private final List<DecisionListener> listeners;
  private final DeleteBatcher deletes;
  private final VisibilityKeeper keeper;
  private final Poller poller;
  private final Readiness readiness;
  private final HandlerPool handlers;
  private final ScheduledExecutorService scheduler;
  private final ScheduledExecutorService keeperThread;
  private final Thread pollerThread;
  private final boolean fifo;
  private final QueueDepths queueDepths;
  private final AtomicInteger released = new AtomicInteger();
  private volatile boolean stopping;
  private volatile boolean started;

  public Worker(WorkerConfig config, SqsClient sqs, Ec2Port ec2, Ec2Budget budget, WorkerMetrics metrics,
      Clock clock, RandomGenerator random) {
    this(config, sqs, ec2, budget, metrics, clock, random, List.of());
  }

  /**
   * @param listeners told of every settled message on the handler thread (status page, tests); must not block
   */
  public Worker(WorkerConfig config, SqsClient sqs, Ec2Port ec2, Ec2Budget budget, WorkerMetrics metrics,
      Clock clock, RandomGenerator random, List<DecisionListener> listeners) {
    this.config = config;
    this.clock = clock;
    this.metrics = metrics;
    this.permits = new Semaphore(config.maxInFlight());
    this.fifo = config.queueUrl().endsWith(".fifo");
    this.cap = new HourlyInstanceCap(config.policy().maxInstancesPerHour(), ec2, budget, clock, metrics);
    metrics.capGauges(cap::usedInLastHour, () -> cap.binding() ? 1 : 0);
    TokenSignature signatures = TokenSignature.of(config.tokenKeys().current(), config.tokenKeys().previous());
    if (!signatures.enabled()) {
      log.warn("launcher.token-key is not set: the launch-worker-token attribute is honoured unsigned, so anyone who "
          + "can write to the queue can set it; set LAUNCHER_TOKEN_KEY to have the worker sign it");
    }
    AccountFaultPause accountPause = new AccountFaultPause(clock, config.retry().baseDelay(),
        config.retry().accountFaultDelay());
    metrics.accountPausedGauge(() -> accountPause.current().isPresent() ? 1 : 0);
    this.launcher = new LaunchHandler(new RequestReader(config.policy(), config.defaults()),
        new RunInstancesMapper(config.defaults()),
        ec2, new Ec2ErrorClassifier(), new RetryBackoff(config.retry(), random), budget, cap, config.maxRequestAge(), clock,
        config.maxAttempts(), accountPause, signatures, metrics);
    this.deletes = new DeleteBatcher(sqs, config.queueUrl(), metrics);
    this.settler = new Settler(sqs, config.queueUrl(), deletes, new DeadLetterQueue(sqs, config.dlqUrl(), metrics, signatures),
        config.resultsQueueUrl().map(url -> new ResultEvents(sqs, url)), config.maxAttempts(), metrics, clock);
    this.listeners = List.copyOf(listeners);
    this.keeper = new VisibilityKeeper(sqs, config.queueUrl(), registry, config.sqs().visibilityTimeout(),
        config.sqs().extendWhenRemaining(), clock, metrics);
    // Readiness says why nothing may launch now: an account fault, or an hourly cap not yet counted from EC2.
    this.readiness = new Readiness(clock, config.sqs().waitTime().plus(READINESS_MARGIN),
        () -> accountPause.pausedBecause().or(cap::notReadyBecause));
    this.handlers = new HandlerPool(Executors.newFixedThreadPool(config.maxInFlight(), named("launch-handler-")),
        this::releaseUnstarted);
    this.scheduler = Executors.newSingleThreadScheduledExecutor(named("worker-scheduler"));
    // Its own thread: a slow delete flush or queue-depth read must never delay an extension past its margin.
    this.keeperThread = Executors.newSingleThreadScheduledExecutor(named("visibility-keeper"));
    this.poller = new Poller(sqs, config.queueUrl(), permits, registry, this::dispatch, this::releaseUnstarted,
        config.sqs().waitTime(), config.sqs().visibilityTimeout(), config.sqs().receiveErrorBackoff(),
        config.sqs().receiveErrorBackoffMax(), clock, d -> Thread.sleep(d.toMillis()), metrics, readiness,
        () -> cap.hasRoomFor(1), accountPause);
    this.pollerThread = named("sqs-poller").newThread(poller);
    metrics.inFlightGauge(registry::size);
    this.queueDepths = new QueueDepths(sqs, Map.of("source", config.queueUrl(), "dlq", config.dlqUrl()), metrics);
  }

  /** Starts receiving. Returns at once. */
  public synchronized void start() {
    if (started) {
      throw new IllegalStateException("already started");
    }
    started = true;
    long tick = keeper.tickInterval().toMillis();
    keeperThread.scheduleWithFixedDelay(guard("visibility keeper", keeper::tick), tick, tick, TimeUnit.MILLISECONDS);
    long flush = config.sqs().deleteFlushInterval().toMillis();
    scheduler.scheduleWithFixedDelay(guard("delete flush", deletes::flush), flush, flush, TimeUnit.MILLISECONDS);
    scheduler.scheduleWithFixedDelay(guard("queue depths", queueDepths::refresh), 0,
        QUEUE_DEPTH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    // Counted before the first receive: until then the poller receives nothing (the cap counts as full).
    scheduler.scheduleWithFixedDelay(guard("hourly cap count", cap::refresh), 0,
        HourlyInstanceCap.REFRESH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    pollerThread.start();
    log.info("worker started: queue {}, max in flight {}", config.queueUrl(), config.maxInFlight());
  }

  public Readiness readiness() {
    return readiness;
  }

  public int inFlight() {
    return registry.size();
  }

  /**
   * Standard queues: every message on its own handler. FIFO queues: the messages of one group, in the order
   * SQS gave them, on one handler; once one of them is not finally decided (a retry holds its group back),
   * the rest of the group's batch is released so SQS hands them out again behind it.
   */
  private void dispatch(List<InFlightMessage> batch) {
    if (!fifo) {
      batch.forEach(m -> handlers.submit(List.of(m), () -> runOne(m)));
      return;
    }
    Map<String, List<InFlightMessage>> byGroup = new LinkedHashMap<>();
    batch.forEach(m -> byGroup.computeIfAbsent(m.messageGroupId().orElse(""), g -> new ArrayList<>()).add(m));
    byGroup.values().forEach(group -> handlers.submit(group, () -> runGroup(group)));
  }

  private void runGroup(List<InFlightMessage> group) {
    int next = 0;
    try {
      boolean blocked = false;
      while (next < group.size() && !blocked) {
        Optional<Decision> decided = runOne(group.get(next++));
        blocked = decided.isEmpty() || !decided.get().outcome().isFinal();
      }
    } finally {
      // Whatever happened, the rest of the group goes back to SQS, behind the message that held it.
      while (next < group.size()) {
        releaseUnstarted(group.get(next++));
      }
    }
  }

  /** Handles one message to its settled end; empty when handling failed unexpectedly. */
  private Optional<Decision> runOne(InFlightMessage message) {
    try (MessageContext context = MessageContext.open(message)) {
      LaunchHandler.Result result = launcher.handle(message, () -> stopping);
      context.token(result.token().value());
      message.markSettling();
      Decision applied = settler.settle(message, decision(message, result.token().value(), result.requestId(),
          result.outcome()));
      OutcomeLog.write(applied);
      listeners.forEach(l -> l.decided(applied));
      if (applied.outcome().kind() == OutcomeKind.RELEASED) {
        released.incrementAndGet();
      }
      return Optional.of(applied);
    } catch (RuntimeException e) {
      // A bug, not an EC2 answer: leave the message to come back after its visibility timeout.
      log.error("handling message {} failed unexpectedly; it will be retried", message.messageId(), e);
      return Optional.empty();
    } finally {
      registry.remove(message);
      permits.release();
    }
  }

  private Decision decision(InFlightMessage m, String token, Optional<String> requestId, Outcome outcome) {
    return new Decision(m.messageId(), token, requestId, m.receiveCount(), m.messageGroupId(), m.sentAt(),
        m.receivedAt(), clock.instant(), outcome);
  }

  private void releaseUnstarted(InFlightMessage message) {
    try {
      message.markSettling();
      Decision applied = settler.settle(message, decision(message, message.messageId(), Optional.empty(),
          Outcome.released()));
      listeners.forEach(l -> l.decided(applied));
      released.incrementAndGet();
    } finally {
      registry.remove(message);
      permits.release();
    }
  }

  /**
   * Stops the worker within the configured grace period and reports what happened to the work in hand.
   * Blocking; idempotent.
   */
  public synchronized ShutdownReport shutdown() {
    Instant begin = clock.instant();
    long deadline = System.nanoTime() + config.shutdownGrace().toNanos();
    if (!stopping) {
      stopping = true;
      readiness.stopping();
      poller.stop();
      log.info("stopping: {} message(s) in flight, grace {}s", registry.size(), config.shutdownGrace().toSeconds());
    }
    int inFlightAtStop = registry.size();
    try {
      if (pollerThread.isAlive()) {
        pollerThread.join(Math.max(1, remainingMillis(deadline)));
      }
      handlers.shutdown();
      if (!handlers.awaitTermination(remainingMillis(deadline))) {
        log.warn("grace period over with {} message(s) still in flight; they return after their visibility "
            + "timeout and their tokens keep them from launching twice: {}", registry.size(), registry.snapshot());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    int queuedReleased = handlers.shutdownNowReleasingQueued();
    if (queuedReleased > 0) {
      log.info("released {} message(s) whose handling had not started", queuedReleased);
    }
    int abandoned = registry.size();
    pollerThread.interrupt();
    keeperThread.shutdownNow();
    long flushDeadline = System.nanoTime() + FINAL_FLUSH.toNanos();
    // No interrupt: a delete flush in progress must land before the clients close, or its messages come back and
    // their result events are sent twice.
    scheduler.shutdown();
    try {
      if (!scheduler.awaitTermination(remainingMillis(flushDeadline), TimeUnit.MILLISECONDS)) {
        scheduler.shutdownNow();
      }
    } catch (InterruptedException e) {
      scheduler.shutdownNow();
      Thread.currentThread().interrupt();
    }
    deletes.flushAll(flushDeadline);
    ShutdownReport report = new ShutdownReport(inFlightAtStop, released.get(), abandoned,
        Duration.between(begin, clock.instant()));
    log.info("stopped: {}", report);
    return report;
  }

  @Override
  public void close() {
    shutdown();
  }

  private static long remainingMillis(long deadlineNanos) {
    return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
  }

  private static Runnable guard(String what, Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.warn("{} failed: {}", what, e.toString());
      }
    };
  }

  private static ThreadFactory named(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix.endsWith("-") ? prefix + n.incrementAndGet() : prefix);
      t.setDaemon(true);
      return t;
    };
  }

  /** What shutdown found and did. */
  public record ShutdownReport(int inFlightAtStop, int released, int abandoned, Duration took) {}
}
