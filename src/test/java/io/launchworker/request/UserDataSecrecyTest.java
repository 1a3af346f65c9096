package io.launchworker.request;

import static io.launchworker.request.Bodies.json;
import static io.launchworker.request.Bodies.with;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** userData may carry passwords and keys: it must never reach a log line, a DLQ attribute or a result event. */
class UserDataSecrecyTest {
  private static final String SECRET = "hunter2SECRET";
  private static final String SECRET_B64 =
      Base64.getEncoder().encodeToString(("#!/bin/sh\nexport PASSWORD=" + SECRET + "\n").getBytes(StandardCharsets.UTF_8));

  @Test
  void toStringShowsOnlyTheLengthOfUserData() {
    LaunchRequest r = accepted(with("'userData':'" + SECRET_B64 + "'"));

    assertThat(r.toString())
        .doesNotContain(SECRET_B64)
        .doesNotContain(SECRET_B64.substring(0, 8))
        .contains("userData=<" + SECRET_B64.length() + " bytes redacted>");
  }

  @Test
  void toStringWithoutUserDataSaysSo() {
    assertThat(accepted(Bodies.MINIMAL).toString()).contains("userData=Optional.empty");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{'imageId':'ami-0123456789abcdef0','userData':'SECRET!!'}",
      "{'imageId':'ami-0123456789abcdef0','userData':'SECRET SECRET=='}",
      "{'imageId':'ami-0123456789abcdef0','userData':'SECRETSECRE'}",
      "{'imageId':'ami-0123456789abcdef0','userData':['SECRET']}",
      "{'imageId':'ami-0123456789abcdef0','userData':{'SECRET':'SECRET'}}",
      "{'imageId':'ami-0123456789abcdef0','userData':SECRET}",
      "{'imageId':'ami-0123456789abcdef0','userData':'SECRET",
      "{'imageId':'ami-0123456789abcdef0','userData':'SECRET\u0001'}",
      "{'imageId':'ami-0123456789abcdef0','userData':'c2VjcmV0','userData':'SECRET'}",
      "{'userData':'SECRET'}",
      "['SECRET']",
  })
  void noRejectionMessageContainsUserData(String template) {
    String body = json(template).replace("SECRET", SECRET);

    Rejection rejection = rejected(body);

    assertThat(rejection.message()).doesNotContain(SECRET).doesNotContain("hunter");
  }

  @Test
  void oversizedUserDataIsNotShownEither() {
    String big = Base64.getEncoder().encodeToString((SECRET + "x".repeat(20_000)).getBytes(StandardCharsets.UTF_8));
    Rejection rejection = rejected(with("'userData':'" + big + "'"));

    assertThat(rejection.reason()).isEqualTo("user_data_too_large");
    assertThat(rejection.message()).doesNotContain(big.substring(0, 12));
  }

  @Test
  void rejectionsForOtherFieldsDoNotEchoTheBodyAndItsUserData() {
    for (String members : List.of("'minCount':0", "'tags':{'aws:x':'y'}", "'bogus':1", "'instanceType':7")) {
      Rejection rejection = rejected(with("'userData':'" + SECRET_B64 + "'," + members));

      assertThat(rejection.message()).doesNotContain(SECRET_B64.substring(0, 8));
    }
  }

  private static LaunchRequest accepted(String body) {
    return ((ReadResult.Accepted) new RequestReader(LaunchPolicy.permissive()).read(body)).request();
  }

  private static Rejection rejected(String body) {
    ReadResult result = new RequestReader(LaunchPolicy.permissive()).read(body);
    assertThat(result).isInstanceOf(ReadResult.Rejected.class);
    return ((ReadResult.Rejected) result).rejection();
  }
}
