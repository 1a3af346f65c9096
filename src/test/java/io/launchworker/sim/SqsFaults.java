package io.launchworker.sim;

import java.util.EnumMap;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The faults {@link SimSqs} injects, each drawn from the simulation's seeded random so that one seed fails the same
 * calls every run. A rate is a probability in [0, 1] per call (per entry for batch entries); "fail next n" fails the
 * next n calls of an operation before any rate is drawn. Nothing is drawn while a rate is 0, so switching faults off
 * leaves the rest of a run's random sequence as it was.
 *
 * <ul>
 *   <li>an <b>error</b> fails the whole call before it has any effect: HTTP 500 {@code InternalError}, as SQS
 *       answers when a server fails;
 *   <li>a <b>lost answer</b> lets the call take effect (a message sent, deleted, received), then throws the
 *       {@code SdkClientException} a client sees when the connection drops before the answer arrives;
 *   <li>a <b>batch entry failure</b> answers one entry of a batch call in {@code Failed} with {@code InternalError}
 *       (sender fault false) and leaves that entry undone, as SQS does for partial failures;
 *   <li>an <b>empty receive</b> answers a receive with no messages although some are visible: a short poll of a
 *       standard queue samples only some of SQS's servers.
 * </ul>
 *
 * <p>Thread-safe (its own lock, taken inside {@link SimSqs}'s; tests may turn knobs at any time).
 */
public final class SqsFaults {
  private final RandomGenerator random;
  // Guarded by this.
  private final Map<SqsOperation, Double> errorRates = new EnumMap<>(SqsOperation.class);
  private final Map<SqsOperation, Integer> failNext = new EnumMap<>(SqsOperation.class);
  private final Map<SqsOperation, Double> lostAnswerRates = new EnumMap<>(SqsOperation.class);
  private double batchEntryFailureRate;
  private double emptyReceiveRate;

  SqsFaults(RandomGenerator random) {
    this.random = random;
  }

  /** Each call of {@code operation} fails with HTTP 500 before any effect, with this probability. */
  public synchronized SqsFaults errorRate(SqsOperation operation, double rate) {
    errorRates.put(operation, checkRate(rate));
    return this;
  }

  /** The next {@code calls} calls of {@code operation} fail with HTTP 500 before any effect. */
  public synchronized SqsFaults failNext(SqsOperation operation, int calls) {
    if (calls < 0) {
      throw new IllegalArgumentException("calls must be >= 0, got " + calls);
    }
    failNext.put(operation, calls);
    return this;
  }

  /** Each call of {@code operation} takes effect and then loses its answer, with this probability. */
  public synchronized SqsFaults lostAnswerRate(SqsOperation operation, double rate) {
    lostAnswerRates.put(operation, checkRate(rate));
    return this;
  }

  /** Each entry of a batch call fails on its own with {@code InternalError}, with this probability. */
  public synchronized SqsFaults batchEntryFailureRate(double rate) {
    batchEntryFailureRate = checkRate(rate);
    return this;
  }

  /** Each receive answers empty although messages are visible, with this probability. */
  public synchronized SqsFaults emptyReceiveRate(double rate) {
    emptyReceiveRate = checkRate(rate);
    return this;
  }

  /** Turns every fault off. */
  public synchronized SqsFaults clear() {
    errorRates.clear();
    failNext.clear();
    lostAnswerRates.clear();
    batchEntryFailureRate = 0;
    emptyReceiveRate = 0;
    return this;
  }

  /** Whether this call of {@code operation} fails before its effect. */
  synchronized boolean failsBefore(SqsOperation operation) {
    int next = failNext.getOrDefault(operation, 0);
    if (next > 0) {
      failNext.put(operation, next - 1);
      return true;
    }
    return draw(errorRates.getOrDefault(operation, 0.0));
  }

  /** Whether this call of {@code operation}, already done, loses its answer. */
  synchronized boolean losesAnswer(SqsOperation operation) {
    return draw(lostAnswerRates.getOrDefault(operation, 0.0));
  }

  synchronized boolean failsEntry() {
    return draw(batchEntryFailureRate);
  }

  synchronized boolean answersEmpty() {
    return draw(emptyReceiveRate);
  }

  private boolean draw(double rate) {
    return rate > 0 && random.nextDouble() < rate;
  }

  static double checkRate(double rate) {
    if (!(rate >= 0 && rate <= 1)) {
      throw new IllegalArgumentException("a rate must be within [0, 1], got " + rate);
    }
    return rate;
  }
}
