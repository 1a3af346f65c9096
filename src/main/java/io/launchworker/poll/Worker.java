package io.launchworker.poll;

import io.launchworker.config.WorkerConfig;
import io.launchworker.launch.HourlyInstanceCap;
import io.launchworker.message.InFlightRegistry;
import io.launchworker.settle.DeleteBatcher;
import io.launchworker.settle.VisibilityKeeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running worker: one poller, a bounded pool of handlers, and a scheduler for the visibility keeper and
 * delete flushes. See {@code src/site/markdown/concurrency.md} for who owns which thread.
 *
 * <p>Threads: {@code sqs-poller} (one, receives and dispatches), {@code launch-handler-N} (max-in-flight of
 * them, one message each from start to settled), {@code worker-scheduler} (one, keeper ticks and delete
 * flushes). Back-pressure: a semaphore of max-in-flight permits, plus a few for messages received ahead of a free
 * handler ({@link WorkerAssembly#receiveAheadFor}); the poller takes one per message before it receives, the handler
 * releases it in {@code finally} after the message is settled. At most max-in-flight messages are handled at once.
 *
 * <p>Shutdown ({@link #shutdown()}): stop receiving (the long poll in progress is aborted at once when the poller
 * has its own {@code ReceiveClient}, as {@code run} and the sandbox do; a message the queue hands to that
 * aborted receive, up to one wait time after the stop, is redelivered after its visibility timeout); messages received
 * ahead of a free handler are released at once (visibility 0); handlers finish their messages within the grace
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

  private final WorkerConfig config;
  private final Clock clock;
  private final AtomicBoolean stopping;
  private final InFlightRegistry registry;
  private final Readiness readiness;
  private final Poller poller;
  private final Thread pollerThread;
  private final HandlerPool handlers;
  private final MessageRun run;
  private final VisibilityKeeper keeper;
  private final ScheduledExecutorService keeperThread;
  private final ScheduledExecutorService scheduler;
  private final DeleteBatcher deletes;
  private final QueueDepths queueDepths;
  private final HourlyInstanceCap cap;
  private final Runnable wakeBudgetWaiters;
  private volatile boolean started;
  private final Runnable pauseProbe;
  private final io.launchworker.ops.WorkerHealth health;
  private final ScheduledExecutorService probeThread =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(WorkerAssembly.named("account-probe"));
  /** How often the scheduler looks whether a probe of an account fault is due (the probe back-off is seconds). */
  private static final java.time.Duration PAUSE_PROBE_TICK = java.time.Duration.ofSeconds(1);

  /** What {@link WorkerAssembly} built, handed over in one piece. */
  record Parts(WorkerConfig config, Clock clock, AtomicBoolean stopping, InFlightRegistry registry,
      Readiness readiness, Poller poller, Thread pollerThread, HandlerPool handlers, MessageRun run,
      VisibilityKeeper keeper, ScheduledExecutorService keeperThread, ScheduledExecutorService scheduler,
      DeleteBatcher deletes, QueueDepths queueDepths, HourlyInstanceCap cap, Runnable wakeBudgetWaiters,
      Runnable pauseProbe, io.launchworker.launch.LaunchHandler launcher, io.launchworker.settle.Settler settler,
      io.launchworker.launch.AccountFaultPause accountPause, io.launchworker.ops.WorkerHealth health) {}

  /** Built by {@link WorkerAssembly}. */
  Worker(Parts parts) {
    this.config = parts.config();
    this.clock = parts.clock();
    this.stopping = parts.stopping();
    this.registry = parts.registry();
    this.readiness = parts.readiness();
    this.poller = parts.poller();
    this.pollerThread = parts.pollerThread();
    this.handlers = parts.handlers();
    this.run = parts.run();
    this.keeper = parts.keeper();
    this.keeperThread = parts.keeperThread();
    this.scheduler = parts.scheduler();
    this.deletes = parts.deletes();
    this.queueDepths = parts.queueDepths();
    this.cap = parts.cap();
    this.wakeBudgetWaiters = parts.wakeBudgetWaiters();
    this.pauseProbe = parts.pauseProbe();
    this.health = parts.health();
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
    // While launches are paused, the account is probed from its own thread, without receiving a message: a probe
    // waits for the EC2 budget and may take a call's time-out, which must not hold up delete flushes.
    probeThread.scheduleWithFixedDelay(guard("account pause probe", pauseProbe), PAUSE_PROBE_TICK.toMillis(),
        PAUSE_PROBE_TICK.toMillis(), TimeUnit.MILLISECONDS);
    pollerThread.start();
    log.info("worker started: queue {}, max in flight {}", config.queueUrl(), config.maxInFlight());
  }

  public Readiness readiness() {
    return readiness;
  }

  /** Readiness, liveness and the status page's state line, for the admin server. */
  public io.launchworker.ops.WorkerHealth health() {
    return health;
  }

  /** Messages a handler has now (not those received ahead of a free handler). */
  public int inFlight() {
    return Math.max(0, registry.size() - handlers.waitingMessages());
  }

  /**
   * Stops the worker within the configured grace period and reports what happened to the work in hand.
   * Blocking; idempotent.
   */
  public synchronized ShutdownReport shutdown() {
    Instant begin = clock.instant();
    long deadline = System.nanoTime() + config.shutdownGrace().toNanos();
    if (stopping.compareAndSet(false, true)) {
      readiness.stopping();
      poller.stop();
      // Received ahead of a free handler, never started: back to the queue at once, launched by whoever gets them.
      int ahead = handlers.releaseWaiting();
      if (ahead > 0) {
        log.info("released {} message(s) received ahead of a free handler", ahead);
      }
      // Handlers waiting for the EC2 budget sleep until their token is due; they release their messages now.
      wakeBudgetWaiters.run();
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
    probeThread.shutdownNow();
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
    ShutdownReport report = new ShutdownReport(inFlightAtStop, run.released(), abandoned,
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

  /** What shutdown found and did. */
  public record ShutdownReport(int inFlightAtStop, int released, int abandoned, Duration took) {}
}
