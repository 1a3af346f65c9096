package io.launchworker.poll;

import io.launchworker.config.WorkerConfig;
import io.launchworker.launch.Ec2Budget;
import io.launchworker.launch.Ec2Port;
import io.launchworker.message.DecisionListener;
import io.launchworker.ops.WorkerMetrics;
import io.launchworker.sim.SimScheduler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * One worker process in a simulation: every part built by the real {@link WorkerAssembly} (the same handler,
 * settler, keeper, cap, pause and probe), run not by the worker's threads but by the simulation's scheduler on its
 * clock: receives, keeper ticks, delete flushes, cap counts and pause probes are events; each message's handling is
 * a fiber that may wait out the consistency window while everything else goes on. A crash drops the process and all
 * it held in memory; what it left in SQS and EC2 stays. Driven by one thread (the simulation's).
 */
public final class SimulatedProcess {
  /** How often an idle process receives: a long poll returns as soon as a message arrives, so keep it short. */
  private static final Duration POLL = Duration.ofSeconds(2);
  private static final Duration PROBE_TICK = Duration.ofSeconds(2);
  /** Messages received ahead of a free handler are drawn below this. */
  private static final int RECEIVE_AHEAD_BOUND = 4;

  private final String name;
  private final Worker.Parts parts;
  private final SimScheduler scheduler;
  private boolean alive = true;

  private SimulatedProcess(String name, Worker.Parts parts, SimScheduler scheduler) {
    this.name = name;
    this.parts = parts;
    this.scheduler = scheduler;
  }

  /**
   * Builds a process with the real assembly and schedules its periodic work.
   *
   * @param maxReceiveCount the source queue's redrive limit, as the process would read it at start
   */
  public static SimulatedProcess start(String name, WorkerConfig config, SqsClient sqs, Ec2Port ec2, Clock clock,
      SimScheduler scheduler, long seed, OptionalInt maxReceiveCount, DecisionListener listener) {
    // 0 to 3 messages received ahead of a free handler (the default gives none below 16 handlers): each process
    // its own, from its seed, so that the world's other draws stay as they were.
    int ahead = new SplittableRandom(~seed).nextInt(RECEIVE_AHEAD_BOUND);
    Worker.Parts parts = WorkerAssembly.forConfig(config).sqs(sqs).ec2(ec2).budget(Ec2Budget.unlimited())
        .metrics(new WorkerMetrics(new SimpleMeterRegistry())).clock(clock).random(new SplittableRandom(seed))
        .consistencyWaiter(scheduler::sleep).handlerExecutor(scheduler.executor(name)).receiveAhead(ahead)
        .maxReceiveCount(maxReceiveCount).listener(listener).buildParts();
    SimulatedProcess process = new SimulatedProcess(name, parts, scheduler);
    process.schedule(config);
    return process;
  }

  private void schedule(WorkerConfig config) {
    scheduler.every(POLL, () -> alive, this::pollUntilEmpty);
    scheduler.every(parts.keeper().tickInterval(), () -> alive, parts.keeper()::tick);
    scheduler.every(config.sqs().deleteFlushInterval(), () -> alive, parts.deletes()::flush);
    scheduler.every(io.launchworker.launch.HourlyInstanceCap.REFRESH_INTERVAL, () -> alive, parts.cap()::refresh);
    scheduler.every(PROBE_TICK, () -> alive, parts.pauseProbe());
    scheduler.after(Duration.ZERO, parts.cap()::refresh);
  }

  private void pollUntilEmpty() {
    for (int i = 0; i < 4 && alive && parts.poller().pollOnce(); i++) {
      // A receive that returned messages is followed by another at once, as the long poll loop does.
    }
  }

  public String name() {
    return name;
  }

  public boolean alive() {
    return alive;
  }

  /** Messages this process holds now. */
  public int inFlight() {
    return alive ? parts.registry().size() : 0;
  }

  /** Whether launches are paused for an account fault here. */
  public boolean paused() {
    return parts.accountPause().current().isPresent();
  }

  /** SIGKILL: nothing more runs, memory is lost, waiting handlers stop where they are. */
  public void crash() {
    alive = false;
    scheduler.kill(name);
  }
}
