package io.launchworker.config;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The SQS client of the poller's long polls, on a connection of its own, and the means to end them: {@link #stop()}
 * aborts the receive in progress (its connection is closed, the call fails at once) and fails every later call
 * before it is sent. Neither interrupting the calling thread nor closing an SDK client ends a long poll in
 * progress (both were tried against ElasticMQ: the call returns after the full wait).
 *
 * <p>The queue does not learn of the abort at once: it may keep the long poll open until its wait time is over
 * (ElasticMQ does) and hand it messages that arrive meanwhile, or answer with messages just as the connection
 * closes. Such messages are invisible until the receive's visibility timeout, then redelivered as usual (their
 * receive count one higher): late by at most that timeout, never lost. Only a stop aborts, so only requests sent
 * within one wait time of a stop can be delayed so.
 *
 * <p>Thread-safe: one thread receives, any other may stop.
 */
public final class ReceiveClient implements AutoCloseable {
  private final SqsClient sqs;
  private final Abortable http;

  private ReceiveClient(SqsClient sqs, Abortable http) {
    this.sqs = sqs;
    this.http = http;
  }

  /** As {@link AwsClients#sqs}, with the given interceptors and one connection (one thread polls). */
  public static ReceiveClient create(Optional<String> region, Optional<URI> endpoint,
      AwsCredentialsProvider credentials, List<ExecutionInterceptor> interceptors) {
    Abortable http = new Abortable(Apache5HttpClient.builder().maxConnections(1).build());
    return new ReceiveClient(AwsClients.sqs(region, endpoint, credentials, http, interceptors), http);
  }

  public SqsClient sqs() {
    return sqs;
  }

  /** Ends the call in progress at once and fails every later one. Idempotent; never blocks. */
  public void stop() {
    http.stop();
  }

  @Override
  public void close() {
    sqs.close();
  }

  /** An HTTP client whose calls in progress can be aborted together, and which refuses calls once stopped. */
  private static final class Abortable implements SdkHttpClient {
    private final SdkHttpClient delegate;
    private final Set<ExecutableHttpRequest> inProgress = ConcurrentHashMap.newKeySet();
    private volatile boolean stopped;

    Abortable(SdkHttpClient delegate) {
      this.delegate = delegate;
    }

    void stop() {
      stopped = true;
      inProgress.forEach(ExecutableHttpRequest::abort);
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
      ExecutableHttpRequest call = delegate.prepareRequest(request);
      return new ExecutableHttpRequest() {
        @Override
        public HttpExecuteResponse call() throws IOException {
          inProgress.add(call);
          try {
            // Checked after the call is registered: a stop either sees it or is seen here.
            if (stopped) {
              throw new IOException("the receive client was stopped");
            }
            return call.call();
          } finally {
            inProgress.remove(call);
          }
        }

        @Override
        public void abort() {
          call.abort();
        }
      };
    }

    @Override
    public String clientName() {
      return delegate.clientName();
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
