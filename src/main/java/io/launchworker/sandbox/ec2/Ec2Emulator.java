package io.launchworker.sandbox.ec2;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-process EC2 endpoint on 127.0.0.1 speaking the Query protocol the AWS SDK v2 {@code Ec2Client}
 * sends: RunInstances (with EC2's ClientToken semantics), DescribeInstances, DescribeImages, TerminateInstances
 * and CreateTags, plus fault injection through {@link #faults()} (latency, throttling, errors, lost answers,
 * IAM denials, DescribeInstances that lags behind launches) and refusals for lack of capacity through
 * {@link #capacity()}. RunInstances with {@code DryRun=true} answers as EC2 does and launches nothing.
 *
 * <p>Time comes from the clock it is started with (the system's by default): launch times, and when a lagging
 * instance becomes visible to DescribeInstances. Throttling buckets refill on {@link System#nanoTime()}.
 *
 * <p>Thread-safe. Requests are served by a pool of {@value #SERVER_THREADS} daemon threads, so that many
 * calls can wait on injected latency at once; all other methods may be called from any thread while it
 * serves. State lives in memory and is lost on {@link #close()}.
 */
public final class Ec2Emulator implements AutoCloseable {
  /**
   * Threads that may sit in injected latency at once: above what the benchmarks keep in flight (4 workers × 64),
   * so the emulator is never the bound on concurrency. Idle ones cost a little memory, nothing else.
   */
  private static final int SERVER_THREADS = 256;
  private static final int BACKLOG = 256;
  /** Seed of the instance- and reservation-id generator, so ids repeat from run to run. */
  private static final long ID_SEED = 20161115L;
  /**
   * The JDK server's switch for {@code TCP_NODELAY}. It writes an answer's headers and its body separately and
   * otherwise leaves Nagle's algorithm on, so the body waits for the client's ACK of the headers, which Linux
   * delays by 40 ms: every emulated call answered 40 ms later than its injected latency (measured in the bench:
   * 43 ms from the answer written to the SDK call's return, 0.7 ms with the switch on), a RunInstances "1.0 to
   * 1.5 s" ran 1.04 to 1.54 s. Read once, when the first JDK server of the JVM starts.
   */
  static final String NO_DELAY = "sun.net.httpserver.nodelay";

  static {
    if (System.getProperty(NO_DELAY) == null) {
      System.setProperty(NO_DELAY, "true");
    }
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final InstanceStore store;
  private final LaunchCatalog catalog;
  private final SubnetZones zones;
  private final Ec2Capacity capacity;
  private final Ec2Faults faults;
  private final StatsRecorder stats;
  private final AtomicBoolean closed = new AtomicBoolean();

  private Ec2Emulator(HttpServer server, ExecutorService executor, InstanceStore store, LaunchCatalog catalog,
      SubnetZones zones, Ec2Capacity capacity, Ec2Faults faults, StatsRecorder stats) {
    this.server = server;
    this.executor = executor;
    this.store = store;
    this.catalog = catalog;
    this.zones = zones;
    this.capacity = capacity;
    this.faults = faults;
    this.stats = stats;
  }

  /** Starts on 127.0.0.1 on a free port. */
  public static Ec2Emulator start() {
    return start(0);
  }

  /**
   * Starts on 127.0.0.1 on a free port with clock as its time: launch times are read from it, and a
   * {@link Ec2Faults#describeLag describe lag} runs out when a test moves it, without waiting.
   */
  public static Ec2Emulator start(Clock clock) {
    return start(0, clock);
  }

  /**
   * Starts on 127.0.0.1:port (0 picks a free port).
   *
   * @throws UncheckedIOException when the port cannot be bound
   */
  public static Ec2Emulator start(int port) {
    return start(port, Clock.systemUTC());
  }

  /**
   * Starts on 127.0.0.1:port (0 picks a free port) with clock as its time (see {@link #start(Clock)}).
   *
   * @throws UncheckedIOException when the port cannot be bound
   */
  public static Ec2Emulator start(int port, Clock clock) {
    java.util.Objects.requireNonNull(clock, "clock");
    SubnetZones zones = new SubnetZones();
    Ec2Capacity capacity = new Ec2Capacity(zones);
    InstanceStore store = new InstanceStore(clock, ID_SEED, capacity);
    LaunchCatalog catalog = new LaunchCatalog();
    Ec2Faults faults = new Ec2Faults();
    StatsRecorder stats = new StatsRecorder();
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), BACKLOG);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind the EC2 emulator to 127.0.0.1:" + port, e);
    }
    ExecutorService executor = Executors.newFixedThreadPool(SERVER_THREADS, daemonThreads());
    server.setExecutor(executor);
    server.createContext("/", new Ec2Dispatcher(store, catalog, zones, faults, stats, clock));
    server.start();
    return new Ec2Emulator(server, executor, store, catalog, zones, capacity, faults, stats);
  }

  private static java.util.concurrent.ThreadFactory daemonThreads() {
    AtomicInteger count = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, "ec2-emulator-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** The endpoint to give the SDK's {@code endpointOverride}: {@code http://127.0.0.1:PORT}. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** The live fault settings; changes apply to the next request. */
  public Ec2Faults faults() {
    return faults;
  }

  /** The live capacity rules; changes apply to the next RunInstances. Without rules every launch succeeds. */
  public Ec2Capacity capacity() {
    return capacity;
  }

  /** A snapshot of the counters; they count every instance, hidden from DescribeInstances or not. */
  public Ec2Stats stats() {
    return stats.snapshot(store);
  }

  /**
   * A snapshot of every instance, terminated ones included, in launch order: the truth, including instances a
   * {@link Ec2Faults#describeLag describe lag} still hides from DescribeInstances.
   */
  public List<EmulatedInstance> instances() {
    return store.all().stream().map(StoredInstance::toPublic).toList();
  }

  /**
   * Tells {@code listener} the ClientToken of every RunInstances request as it arrives, before latency,
   * throttling or faults (the benchmark's pickup latency). Called on server threads; must be quick and must
   * not throw. Replaces any earlier listener.
   */
  public void onRunInstancesArrival(java.util.function.Consumer<String> listener) {
    stats.onRunInstancesArrival(java.util.Objects.requireNonNull(listener, "listener"));
  }

  /** Makes a launch template known by id and by name; unknown ones fail RunInstances like EC2. */
  public void registerLaunchTemplate(String id, String name) {
    catalog.registerTemplate(id, name);
  }

  /**
   * Puts subnetId in availabilityZone for the next requests. An unregistered subnet is in one of us-east-1a,
   * us-east-1b and us-east-1c, chosen by a stable hash of its ID; a launch without a subnet is in us-east-1a.
   */
  public void subnet(String subnetId, String availabilityZone) {
    zones.register(subnetId, availabilityZone);
  }

  /**
   * Gives imageId another root device than {@code /dev/xvda} (e.g. {@code /dev/sda1}), for DescribeImages and
   * for which BlockDeviceMapping of a launch is its root volume. Any other {@code ami-} ID is an image too.
   *
   * @throws IllegalArgumentException when imageId does not start with {@code ami-}
   */
  public void image(String imageId, String rootDeviceName) {
    catalog.registerImage(imageId, rootDeviceName);
  }

  /**
   * Makes RunInstances with imageId fail with errorCode (HTTP 400), e.g. {@code InvalidAMIID.NotFound}; so does
   * DescribeImages asking for it by ID, as EC2 answers for an image that does not exist.
   */
  public void rejectImage(String imageId, String errorCode) {
    catalog.rejectImage(imageId, errorCode);
  }

  /** Stops the server at once, interrupting calls parked in latency. Idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      server.stop(0);
      executor.shutdownNow();
    }
  }
}
