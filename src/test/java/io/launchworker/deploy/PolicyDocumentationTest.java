package io.launchworker.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.launchworker.config.EnvOverrides;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 19, items 1 and 7: the operating guide's policy table and config/worker.conf describe the policy that
 * exists. A key missing from the table is a limit an operator never hears of; a list without a variable cannot be
 * set in a container without a file.
 */
class PolicyDocumentationTest {
  private static final String GUIDE = DeploymentFiles.read(DeploymentFiles.OPERATING);
  private static final String REFERENCE = DeploymentFiles.read(DeploymentFiles.CONFIG_REFERENCE);

  /** The keys of {@code launcher.policy} in the configuration reference the jar carries. */
  private static List<String> policyKeys() {
    return ConfigFactory.parseString(REFERENCE).getConfig("launcher.policy").root().keySet().stream().sorted()
        .toList();
  }

  /** The first column of the guide's policy table: the rows after its heading, up to the first line that is not one. */
  private static List<String> tableKeys() {
    String section = GUIDE.substring(GUIDE.indexOf("### Policy: what each allow-list covers"));
    String table = section.substring(section.indexOf("| key |"));
    Matcher row = Pattern.compile("(?m)^\\| `([\\w.-]+)`").matcher(table.substring(0, table.indexOf("\n\n")));
    return row.results().map(m -> m.group(1)).toList();
  }

  @Test
  void thePolicyTableListsEveryPolicyKeyThatExists() {
    assertThat(policyKeys()).isNotEmpty();
    assertThat(tableKeys()).containsAll(policyKeys());
  }

  @Test
  void everyAllowListHasAnEnvironmentVariableNamedBesideItInTheReference() {
    for (String key : policyKeys().stream().filter(k -> k.startsWith("allowed-")).toList()) {
      String variable = EnvOverrides.VARIABLES.entrySet().stream()
          .filter(e -> e.getValue().equals("launcher.policy." + key)).map(java.util.Map.Entry::getKey).findFirst()
          .orElseThrow(() -> new AssertionError("no environment variable for launcher.policy." + key));
      assertThat(DeploymentFiles.undocumented(variable)).as(variable).isEmpty();
      assertThat(GUIDE).as(variable + " in the guide's variable table").contains("| `" + variable + "` |");
    }
  }

  @Test
  void theReferenceShipsEmptyImageAndTypeListsWithANarrowExampleAboveEach() {
    for (String key : List.of("allowed-image-ids", "allowed-instance-types", "allowed-subnet-ids",
        "allowed-security-group-ids")) {
      Matcher example = Pattern.compile("(?m)^\\s*# " + key + " = \\[(\"[^\"*]+\"(, )?)+]").matcher(REFERENCE);
      assertThat(example.find()).as("a commented narrow example of " + key).isTrue();
      assertThat(ConfigFactory.parseString(REFERENCE).getStringList("launcher.policy." + key)).as(key).isEmpty();
    }
    assertThat(GUIDE).contains("#### Recommended production policy");
  }
}
