package io.launchworker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.launchworker.audit.EmulatorLaunches;
import io.launchworker.sandbox.ec2.Ec2Emulator;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code launch-worker audit} against the EC2 emulator, credentials from the SDK's default chain (its system
 * properties, set here), endpoint and region from the options.
 */
class AuditCommandTest {
  private static final Map<String, String> CREDENTIALS = Map.of("aws.accessKeyId", "audit-test-key",
      "aws.secretAccessKey", "audit-test-secret");
  private final Map<String, String> previous = new HashMap<>();
  private final Ec2Emulator emulator = Ec2Emulator.start();
  private final EmulatorLaunches launches = new EmulatorLaunches(emulator);
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void credentials() {
    CREDENTIALS.forEach((k, v) -> previous.put(k, System.setProperty(k, v)));
  }

  @AfterEach
  void stop() {
    previous.forEach((k, v) -> {
      if (v == null) {
        System.clearProperty(k);
      } else {
        System.setProperty(k, v);
      }
    });
    launches.close();
    emulator.close();
  }

  private int audit(String... extra) {
    String[] args = new String[3 + extra.length];
    args[0] = "audit";
    args[1] = "--region=us-east-1";
    args[2] = "--endpoint-url=" + emulator.endpoint();
    System.arraycopy(extra, 0, args, 3, extra.length);
    return LaunchWorkerCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  @Test
  void aPlantedDuplicateIsListedAndExitsOne() {
    emulator.faults().ignoreClientToken(true);
    String first = launches.launch("leaked-token", 1);
    String second = launches.launch("leaked-token", 1);
    launches.launch("fine-token", 1);

    int code = audit();

    assertThat(code).as(err.toString()).isEqualTo(1);
    assertThat(out.toString()).containsPattern("tokens\\s+2\\n").containsPattern("instances\\s+3\\n")
        .containsPattern("  running\\s+3\\n").containsPattern("tokens with more than one reservation\\s+1\\n")
        .contains("leaked-token").contains("2 DUPLICATE").contains(first).contains(second)
        .doesNotContain("fine-token").contains("FAILED: 1 token(s) launched more than once");
  }

  @Test
  void aCleanRunExitsZeroEvenWhenATokenWasRetried() {
    String reservation = launches.launch("retried-token", 1);
    assertThat(launches.launch("retried-token", 1)).as("EC2 honours the token").isEqualTo(reservation);
    launches.launch("two-instances", 2);
    launches.launchUntagged("not-ours");

    int code = audit("--since", "1h", "--all");

    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString()).containsPattern("tokens\\s+2\\n").containsPattern("instances\\s+3\\n")
        .containsPattern("tokens with more than one reservation\\s+0\\n").contains("retried-token")
        .contains("two-instances").contains("OK: every token has exactly one reservation");
  }

  @Test
  void jsonOutputCarriesEveryTokenAndTheVerdict() throws Exception {
    emulator.faults().ignoreClientToken(true);
    launches.launch("leaked-token", 1);
    launches.launch("leaked-token", 1);
    launches.launch("fine-token", 1);

    int code = audit("--json");

    assertThat(code).isEqualTo(1);
    JsonNode report = new ObjectMapper().readTree(out.toString());
    assertThat(report.get("ok").asBoolean()).isFalse();
    assertThat(report.get("duplicatedTokens").asInt()).isEqualTo(1);
    assertThat(report.at("/instancesByState/running").asInt()).isEqualTo(3);
    assertThat(report.get("byToken").findValuesAsText("token")).containsExactly("fine-token", "leaked-token");
    assertThat(report.get("byToken").get(1).get("reservations")).hasSize(2);
  }

  @Test
  void anUnreachableEc2IsReportedInOneLineNamingTheFlagWithExitTwoNotAsClean() {
    emulator.close();

    int code = audit();

    assertThat(code).isEqualTo(2);
    assertThat(err.toString().lines()).containsExactly("launch-worker audit: cannot reach EC2 at "
        + emulator.endpoint() + " (from --endpoint-url): connection refused; check --endpoint-url");
    assertThat(out.toString()).isEmpty();
  }
}
