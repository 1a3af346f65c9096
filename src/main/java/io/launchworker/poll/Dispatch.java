package io.launchworker.poll;

import io.launchworker.message.Decision;
import io.launchworker.message.InFlightMessage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How a received batch is handed to the handler threads: each message on its own (standard queues), or each FIFO
 * group's messages in order on one handler. Called on the poller thread; never blocks on a message's handling.
 */
interface Dispatch {
  void dispatch(List<InFlightMessage> batch);

  /** The strategy a queue needs: FIFO queues (their URL ends in {@code .fifo}) keep each group's order. */
  static Dispatch forQueue(String queueUrl, HandlerPool pool, MessageRun run) {
    return queueUrl.endsWith(".fifo") ? new FifoGroups(pool, run) : new EachOnItsOwn(pool, run);
  }

  /** Standard queues: every message on its own handler. */
  record EachOnItsOwn(HandlerPool pool, MessageRun run) implements Dispatch {
    @Override
    public void dispatch(List<InFlightMessage> batch) {
      batch.forEach(m -> pool.submit(List.of(m), () -> run.run(m)));
    }
  }

  /**
   * FIFO queues: the messages of one group, in the order SQS gave them, on one handler; once one of them is not
   * finally decided (a retry holds its group back), the rest of the group's batch is released so SQS hands them
   * out again behind it.
   */
  record FifoGroups(HandlerPool pool, MessageRun run) implements Dispatch {
    @Override
    public void dispatch(List<InFlightMessage> batch) {
      Map<String, List<InFlightMessage>> byGroup = new LinkedHashMap<>();
      batch.forEach(m -> byGroup.computeIfAbsent(m.messageGroupId().orElse(""), g -> new ArrayList<>()).add(m));
      byGroup.values().forEach(group -> pool.submit(group, () -> runGroup(group)));
    }

    private void runGroup(List<InFlightMessage> group) {
      int next = 0;
      try {
        boolean blocked = false;
        while (next < group.size() && !blocked) {
          Optional<Decision> decided = run.run(group.get(next++));
          blocked = decided.isEmpty() || !decided.get().outcome().isFinal();
        }
      } finally {
        // Whatever happened, the rest of the group goes back to SQS, behind the message that held it.
        while (next < group.size()) {
          run.release(group.get(next++));
        }
      }
    }
  }
}
