package io.launchworker.bench;

import ch.qos.logback.classic.Level;
import io.launchworker.config.AwsClients;
import io.launchworker.config.WorkerConfig;
import io.launchworker.launch.Ec2Budget;
import io.launchworker.launch.Ec2CallObserver;
import io.launchworker.ops.Metrics;
import io.launchworker.ops.WorkerMetrics;
import io.launchworker.poll.Worker;
import io.launchworker.poll.WorkerAssembly;
import io.launchworker.sandbox.EmbeddedSqs;
import io.launchworker.message.OutcomeKind;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * One worker in this JVM, assembled as {@code cli.WorkerRuntime} assembles it (same clients, budget and
 * observer; no admin server), with a listener that notes each final decision in the {@link Timeline}. Its CPU
 * is the per-thread CPU time of the worker's own threads; heap and RSS are the whole JVM's, so they include
 * the sandbox. The per-outcome log line is turned down to WARN while it runs, so 20,000 lines do not flood the
 * terminal. Owned by the benchmark thread.
 */
final class InProcessFleet implements Fleet {
  /** The worker's threads as named in src/site/markdown/concurrency.md. The SDK calls run on them (synchronous clients). */
  private static final List<String> WORKER_THREADS = List.of("sqs-poller", "launch-handler-", "worker-scheduler");
  private static final Set<OutcomeKind> FINAL = Set.of(OutcomeKind.LAUNCHED, OutcomeKind.ALREADY_LAUNCHED,
      OutcomeKind.REJECTED);

  private final AwsClients clients;
  private final Worker worker;
  private final Duration startup;
  private final ch.qos.logback.classic.Logger outcomeLog;
  private final Level outcomeLevel;

  private InProcessFleet(AwsClients clients, Worker worker, Duration startup,
      ch.qos.logback.classic.Logger outcomeLog, Level outcomeLevel) {
    this.clients = clients;
    this.worker = worker;
    this.startup = startup;
    this.outcomeLog = outcomeLog;
    this.outcomeLevel = outcomeLevel;
  }

  static InProcessFleet start(WorkerConfig config, Timeline timeline) {
    ch.qos.logback.classic.Logger outcomeLog =
        (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.launchworker.outcome");
    Level before = outcomeLog.getLevel();
    outcomeLog.setLevel(Level.WARN);
    ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    long begin = System.nanoTime();
    Ec2Budget budget = Ec2Budget.of(config.ec2());
    AwsClients clients = AwsClients.create(config, StaticCredentialsProvider.create(EmbeddedSqs.CREDENTIALS),
        List.of(new Ec2CallObserver(budget)));
    WorkerMetrics metrics = new WorkerMetrics(Metrics.prometheus());
    Clock clock = Clock.systemUTC();
    Worker worker = WorkerAssembly.forConfig(config).clients(clients).budget(budget).metrics(metrics).clock(clock)
        .listener(d -> {
          if (FINAL.contains(d.outcome().kind())) {
            timeline.decided(d.messageId());
          }
        }).build();
    worker.start();
    return new InProcessFleet(clients, worker, Duration.ofNanos(System.nanoTime() - begin), outcomeLog, before);
  }

  @Override
  public Duration startup() {
    return startup;
  }

  @Override
  public String startupMeasure() {
    return "in-process: clients + worker built -> poller started (JVM start-up not included)";
  }

  @Override
  public Duration cpu() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long nanos = 0;
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null && WORKER_THREADS.stream().anyMatch(info.getThreadName()::startsWith)) {
        nanos += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
      }
    }
    return Duration.ofNanos(nanos);
  }

  @Override
  public String cpuMeasure() {
    return "per-thread CPU of the worker's threads (sqs-poller, launch-handler-*, worker-scheduler; "
        + "excludes GC and JIT threads)";
  }

  @Override
  public OptionalLong peakHeapBytes() {
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    return OptionalLong.of(peak);
  }

  @Override
  public long peakRssBytes() {
    return ProcStatus.self().peakRssBytes();
  }

  @Override
  public long rssBytes() {
    return ProcStatus.self().rssBytes();
  }

  @Override
  public String memoryMeasure() {
    return "this JVM: worker + ElasticMQ + EC2 emulator + sender (use --separate-process for the worker alone)";
  }

  @Override
  public void close() {
    try {
      worker.shutdown();
      clients.close();
    } finally {
      outcomeLog.setLevel(outcomeLevel);
    }
  }
}
