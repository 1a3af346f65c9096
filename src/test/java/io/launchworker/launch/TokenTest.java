package io.launchworker.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.message.MessageAttributes;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TokenTest {
  private static final String MESSAGE_ID = "5fea7756-0ea4-451a-a703-a558b933e274";

  private static final Optional<String> SENDER = Optional.of("AIDAPRODUCERA");

  @Test
  void bodyTokenIsScopedBySenderAndWinsOverTheMessageId() {
    Token token = Token.resolve(Optional.of("runner-42"), SENDER, Map.of(), MESSAGE_ID);

    assertThat(token).isEqualTo(new Token(Token.scoped(SENDER, "runner-42"), Token.Source.BODY));
  }

  @Test
  void oneSendersClientTokenAlwaysGivesTheSameTokenAndTwoSendersNeverShareOne() {
    String mine = Token.scoped(SENDER, "ci-job-42");

    assertThat(Token.scoped(Optional.of("AIDAPRODUCERA"), "ci-job-42")).isEqualTo(mine);
    assertThat(Token.scoped(Optional.of("AIDAPRODUCERB"), "ci-job-42")).isNotEqualTo(mine);
    assertThat(Token.scoped(SENDER, "ci-job-43")).isNotEqualTo(mine);
    assertThat(Token.scoped(Optional.empty(), "ci-job-42")).isNotEqualTo(mine);
    // The separator keeps sender and token apart: ("AB", "C") and ("A", "BC") are different requests.
    assertThat(Token.scoped(Optional.of("AB"), "C")).isNotEqualTo(Token.scoped(Optional.of("A"), "BC"));
  }

  @Test
  void aScopedTokenFitsEc2AndSaysWhatItIs() {
    String token = Token.scoped(Optional.of("AROAEXAMPLEROLEID:" + "s".repeat(64)), "x".repeat(64));

    assertThat(token).startsWith("ct-").hasSize(46);
    assertThat(Token.isValidToken(token)).isTrue();
  }

  @Test
  void theWorkersAttributeWinsOverTheBodySoARedriveKeepsTheSenderItWasScopedBy() {
    String deadLettered = Token.scoped(SENDER, "runner-42");

    Token token = Token.resolve(Optional.of("runner-42"), Optional.of("AROAOPERATOR:redrive"),
        Map.of(MessageAttributes.TOKEN, deadLettered), MESSAGE_ID);

    assertThat(token).isEqualTo(new Token(deadLettered, Token.Source.ATTRIBUTE));
  }

  @Test
  void dlqAttributeWinsOverTheNewMessageIdOfARedrive() {
    Token token = Token.resolve(Optional.empty(), SENDER, Map.of(MessageAttributes.TOKEN, "original-id"), MESSAGE_ID);

    assertThat(token).isEqualTo(new Token("original-id", Token.Source.ATTRIBUTE));
  }

  @Test
  void messageIdIsTheTokenOtherwise() {
    assertThat(Token.resolve(Optional.empty(), SENDER, Map.of(), MESSAGE_ID))
        .isEqualTo(new Token(MESSAGE_ID, Token.Source.MESSAGE_ID));
  }

  @Test
  void anInvalidAttributeIsIgnoredRatherThanSentToEc2() {
    Token token = Token.resolve(Optional.empty(), SENDER, Map.of(MessageAttributes.TOKEN, "x".repeat(65)),
        MESSAGE_ID);

    assertThat(token.source()).isEqualTo(Token.Source.MESSAGE_ID);
  }

  @Test
  void messageIdsLongerThan64BecomeAStableDigestThatFitsEc2() {
    String longId = "m".repeat(100);

    String token = Token.fromMessageId(longId);

    assertThat(token).hasSizeLessThanOrEqualTo(64).startsWith("sha256-").isEqualTo(Token.fromMessageId(longId));
    assertThat(token.chars()).allMatch(c -> c >= 0x21 && c <= 0x7E);
    assertThat(Token.fromMessageId("m".repeat(99) + "n")).isNotEqualTo(token);
  }

  @Test
  void aMessageIdOfExactly64IsUsedAsIs() {
    String id = "a".repeat(64);

    assertThat(Token.fromMessageId(id)).isEqualTo(id);
  }

  @Test
  void eachShapeHasItsOwnTokenOfAtMost64CharactersAndTheFirstKeepsTheRequestsOwn() {
    Token token = new Token("x".repeat(64), Token.Source.BODY);

    java.util.List<String> shapes = java.util.stream.IntStream.range(0, 320).mapToObj(token::forShape).toList();

    assertThat(shapes.get(0)).isEqualTo("x".repeat(64));
    assertThat(shapes).doesNotHaveDuplicates().allSatisfy(t -> assertThat(Token.isValidToken(t)).isTrue());
    assertThat(shapes.get(1)).startsWith("s2-").hasSize(46);
    assertThat(new Token("x".repeat(64), Token.Source.MESSAGE_ID).forShape(5)).isEqualTo(token.forShape(5));
    assertThat(new Token("y", Token.Source.BODY).forShape(5)).isNotEqualTo(token.forShape(5));
  }
}
