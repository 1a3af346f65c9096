package io.launchworker.settle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class TokenSignatureTest {
  private static final String OLD_KEY = "old-key-0123456789-0123456789-0123456789";
  private static final String NEW_KEY = "new-key-0123456789-0123456789-0123456789";
  private final TokenSignature signatures = TokenSignature.of(Optional.of(NEW_KEY), Optional.of(OLD_KEY));

  @Test
  void aSignatureVerifiesForItsTokenAndBodyOnly() {
    String signature = signatures.sign("tok-1", "{\"a\":1}").orElseThrow();

    assertThat(signatures.verifies("tok-1", "{\"a\":1}", Optional.of(signature))).isTrue();
    assertThat(signatures.verifies("tok-2", "{\"a\":1}", Optional.of(signature))).isFalse();
    assertThat(signatures.verifies("tok-1", "{\"a\":2}", Optional.of(signature))).isFalse();
    assertThat(signatures.verifies("tok-1", "{\"a\":1}", Optional.empty())).isFalse();
    assertThat(signatures.verifies("tok-1", "{\"a\":1}", Optional.of("v1:forged"))).isFalse();
  }

  @Test
  void theKeyBeforeTheRotationStillVerifiesButNoLongerSigns() {
    TokenSignature before = TokenSignature.of(Optional.of(OLD_KEY), Optional.empty());
    String signedBefore = before.sign("tok", "body").orElseThrow();

    assertThat(signatures.verifies("tok", "body", Optional.of(signedBefore))).isTrue();
    assertThat(signatures.sign("tok", "body")).isNotEqualTo(Optional.of(signedBefore));
    assertThat(TokenSignature.of(Optional.of(NEW_KEY), Optional.empty())
        .verifies("tok", "body", Optional.of(signedBefore))).isFalse();
  }

  @Test
  void withoutAKeyNothingIsSigned() {
    assertThat(TokenSignature.none().enabled()).isFalse();
    assertThat(TokenSignature.none().sign("tok", "body")).isEmpty();
  }
}
