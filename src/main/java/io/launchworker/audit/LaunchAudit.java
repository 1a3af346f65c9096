package io.launchworker.audit;

import io.launchworker.request.LaunchTags;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * Reads EC2, the worker's ledger, for every instance carrying the {@link LaunchTags#TOKEN} tag and launched
 * within a window, and groups them by token. One token with more than one reservation means a request was
 * launched twice: the thing this project exists to prevent.
 *
 * <p>Uses {@code DescribeInstances} (filter {@code tag-key}, paginated, read-only). The launch-time window is
 * applied here because EC2's {@code launch-time} filter only matches exact values and wildcards. Terminated
 * instances count while EC2 still lists them (about an hour after termination).
 *
 * <p>Thread-safe if the client is; blocking. SDK exceptions (credentials, permissions, endpoint) propagate.
 */
public final class LaunchAudit {
  /** EC2's largest page: fewest calls against the account's Describe* rate limit. */
  public static final int MAX_PAGE_SIZE = 1000;

  private final Ec2Client ec2;
  private final Clock clock;
  private final int pageSize;

  /** @param pageSize DescribeInstances MaxResults, 5 to 1000 */
  public LaunchAudit(Ec2Client ec2, Clock clock, int pageSize) {
    if (pageSize < 5 || pageSize > MAX_PAGE_SIZE) {
      throw new IllegalArgumentException("pageSize must be 5..1000, got " + pageSize);
    }
    this.ec2 = ec2;
    this.clock = clock;
    this.pageSize = pageSize;
  }

  /** Audits the instances launched within {@code since} before now. */
  public AuditReport run(Duration since) {
    Instant cutoff = clock.instant().minus(since);
    DescribeInstancesRequest request = DescribeInstancesRequest.builder()
        .filters(Filter.builder().name("tag-key").values(LaunchTags.TOKEN).build())
        .maxResults(pageSize).build();
    List<AuditReport.AuditedInstance> found = new ArrayList<>();
    int pages = 0;
    for (var page : ec2.describeInstancesPaginator(request)) {
      pages++;
      for (Reservation reservation : page.reservations()) {
        for (Instance instance : reservation.instances()) {
          Instant launched = instance.launchTime();
          if (launched != null && launched.isBefore(cutoff)) {
            continue;
          }
          found.add(new AuditReport.AuditedInstance(token(instance), reservation.reservationId(),
              instance.instanceId(), instance.state() == null ? "unknown" : instance.state().nameAsString(),
              launched));
        }
      }
    }
    return AuditReport.of(cutoff, pages, found);
  }

  private static String token(Instance instance) {
    return instance.tags().stream().filter(t -> LaunchTags.TOKEN.equals(t.key())).map(Tag::value).findFirst()
        .orElse("");
  }
}
