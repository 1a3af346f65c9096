package io.launchworker.launch;

import io.launchworker.request.LaunchShape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which shape of a request last failed without an answer (a lost answer, a 5xx, a time-out): that shape may have
 * launched. The next attempt in this process tries it first, under its own ClientToken, which EC2 answers with the
 * earlier reservation if there was one; only an answer proving it launched nothing lets the walk go back to the
 * first shape. The look-up by tag that every redelivery makes covers the same case across processes, as far as
 * DescribeInstances already shows the instance. Bounded; thread-safe.
 */
final class ShapeHints {
  private static final int MAX_ENTRIES = 10_000;

  private final Map<String, Integer> unclear = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
      return size() > MAX_ENTRIES;
    }
  };

  synchronized void unclear(String token, int position) {
    unclear.put(token, position);
  }

  synchronized void settled(String token) {
    unclear.remove(token);
  }

  /** The shapes in walk order, with the one that last failed unclearly for this token first. */
  List<LaunchShape> order(String token, List<LaunchShape> shapes) {
    Integer first;
    synchronized (this) {
      first = unclear.get(token);
    }
    if (first == null || first <= 0 || first >= shapes.size()) {
      return shapes;
    }
    List<LaunchShape> ordered = new ArrayList<>(shapes.size());
    ordered.add(shapes.get(first));
    for (LaunchShape shape : shapes) {
      if (shape.position() != first) {
        ordered.add(shape);
      }
    }
    return ordered;
  }
}
