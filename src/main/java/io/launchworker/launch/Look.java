package io.launchworker.launch;

import io.launchworker.message.InFlightMessage;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * One message's look-ups: the token and shape ClientTokens to look for, the request hash a launch of it carries,
 * the unscoped tokens an older release launched a {@code clientToken} under, the doubt they settle and the stop
 * flag every wait checks. Owned by one handler thread.
 */
record Look(InFlightMessage message, Token token, Optional<String> hash, List<String> clientTokens,
    Optional<EarlierLaunches.Unscoped> unscoped, Doubt doubt, BooleanSupplier stopping) {

  /** The same look-ups, ignoring a stop: for the one wait that must end in a look-up whatever happens. */
  Look withoutStop() {
    return new Look(message, token, hash, clientTokens, unscoped, doubt, () -> false);
  }
}
