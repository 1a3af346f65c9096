package io.launchworker.ops;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Bounds the time a client has to send a whole request head: from the moment its connection opens, or its
 * previous response has been written, until the head has arrived. A connection still short of a request by then
 * is closed without an answer. An idle timeout alone would not do: it restarts with every byte, so a client
 * trickling a header byte now and then would hold its connection, and a slot of the connection limit, for ever.
 * An idle keep-alive connection is closed the same way; clients open a new one.
 *
 * <p>Thread-safe: Jetty reports connections opening and closing on its selector threads, {@link #requestArrived}
 * and the callback of {@link #rearmWhenDone} run on request threads, and the deadline fires on the scheduler's
 * thread. No lock is held while closing a connection.
 */
final class RequestReadDeadline implements Connection.Listener {
  private final Scheduler scheduler;
  private final long readTimeNanos;
  private final Map<Connection, Watch> watches = new ConcurrentHashMap<>();

  RequestReadDeadline(Scheduler scheduler, Duration readTime) {
    this.scheduler = scheduler;
    this.readTimeNanos = readTime.toNanos();
  }

  @Override
  public void onOpened(Connection connection) {
    Watch watch = new Watch(connection);
    watches.put(connection, watch);
    watch.arm();
  }

  @Override
  public void onClosed(Connection connection) {
    Watch watch = watches.remove(connection);
    if (watch != null) {
      watch.end();
    }
  }

  /** A request head has arrived on this connection: no deadline while it is answered. */
  void requestArrived(Connection connection) {
    Watch watch = watches.get(connection);
    if (watch != null) {
      watch.disarm();
    }
  }

  /** The response's callback, which first starts the deadline for the connection's next request. */
  Callback rearmWhenDone(Connection connection, Callback response) {
    return new Callback.Nested(response) {
      @Override
      public void succeeded() {
        rearm(connection);
        super.succeeded();
      }

      @Override
      public void failed(Throwable cause) {
        rearm(connection);
        super.failed(cause);
      }
    };
  }

  private void rearm(Connection connection) {
    Watch watch = watches.get(connection);
    if (watch != null) {
      watch.arm();
    }
  }

  /** One connection's deadline. */
  private final class Watch {
    private final Connection connection;
    // Guarded by this: the pending expiry, its generation (a cancelled expiry already running must not close
    // the connection the next deadline watches), and whether the connection has closed.
    private Scheduler.Task pending;
    private long generation;
    private boolean ended;

    Watch(Connection connection) {
      this.connection = connection;
    }

    synchronized void arm() {
      if (ended || pending != null) {
        return;
      }
      long armed = ++generation;
      pending = scheduler.schedule(() -> expire(armed), readTimeNanos, TimeUnit.NANOSECONDS);
    }

    synchronized void disarm() {
      if (pending != null) {
        pending.cancel();
        pending = null;
      }
    }

    synchronized void end() {
      ended = true;
      disarm();
    }

    private void expire(long armed) {
      synchronized (this) {
        if (ended || pending == null || armed != generation) {
          return;
        }
        pending = null;
      }
      connection.getEndPoint().close();
    }
  }
}
