package io.launchworker.cli;

import io.launchworker.audit.AuditReport;
import io.launchworker.audit.LaunchAudit;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.core.exception.SdkException;
import io.launchworker.config.AwsClients;
import java.util.List;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * {@code audit}: lists the worker's instances by token and exits 1 when any token has more than one
 * reservation (a request launched twice), 0 when none has, 2 when EC2 could not be read (credentials, region,
 * endpoint, permissions: one line says which, naming the flag or variable to set). Region, credentials and endpoint come from the SDK's default
 * chain ({@code AWS_REGION}, {@code AWS_PROFILE}, {@code AWS_ENDPOINT_URL_EC2}, …) unless given as options.
 */
@Command(name = "audit", description = "Check EC2 for requests launched more than once (exit 1 if any).")
final class AuditCommand implements Callable<Integer> {
  @Option(names = "--since", defaultValue = "24h", converter = DurationConverter.class,
      description = "Only instances launched within this long before now (default: ${DEFAULT-VALUE}).")
  Duration since;

  @Option(names = "--json", description = "Print the whole report, every token included, as JSON.")
  boolean json;

  @Option(names = "--all", description = "List every token in the table, not only the duplicated ones.")
  boolean all;

  @Option(names = "--region", description = "AWS region (default: the SDK's chain, e.g. AWS_REGION).")
  String region;

  @Option(names = "--endpoint-url", paramLabel = "URL",
      description = "EC2 endpoint (default: the SDK's chain, e.g. AWS_ENDPOINT_URL_EC2).")
  URI endpointUrl;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    AuditReport report;
    try (Ec2Client ec2 = client()) {
      report = new LaunchAudit(ec2, Clock.systemUTC(), LaunchAudit.MAX_PAGE_SIZE).run(since);
    } catch (SdkException e) {
      // Whatever keeps EC2 from being read, the audit proved nothing: never exit as if clean.
      AwsSetup setup = new AwsSetup(AwsSetup.Service.EC2, System.getenv(),
          new AwsSetup.Flags(true, Optional.ofNullable(region), Optional.ofNullable(endpointUrl)), false,
          Optional.empty(), Optional.empty(), Optional.empty());
      throw setup.explain(e).orElseGet(() -> new SetupException("cannot read EC2: " + e.getMessage(), e));
    }
    out.print(json ? report.json() + System.lineSeparator() : report.table(all));
    out.flush();
    return report.hasDuplicates() ? ServiceCommand.EXIT_FAILED : ServiceCommand.EXIT_OK;
  }

  private Ec2Client client() {
    return AwsClients.ec2(Optional.ofNullable(region), Optional.ofNullable(endpointUrl),
        DefaultCredentialsProvider.builder().build(), 4, List.of());
  }
}
