package io.launchworker.ops;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.launchworker.message.Outcome;
import io.launchworker.message.Placement;
import io.launchworker.message.ShapeRefusal;
import java.util.function.UnaryOperator;

/**
 * Writes where an outcome's launch landed ({@code placement}: market, instanceType, subnetId, availabilityZone)
 * and the shapes refused before it ({@code refusals}: market, instanceType, subnetId, errorCode) into a JSON
 * object, as the status page and result events show them. Parts EC2 was not given are left out. Stateless.
 */
public final class PlacementJson {
  /** Refusals shown one by one; {@code refusalCount} always says how many there were. */
  public static final int MAX_REFUSALS_SHOWN = 20;

  private PlacementJson() {}

  /** Adds {@code placement}, {@code refusals} and {@code refusalCount} when the outcome has them. */
  public static void write(ObjectNode node, Outcome outcome, UnaryOperator<String> escape) {
    outcome.placement().ifPresent(p -> placement(node.putObject("placement"), p, escape));
    if (outcome.refusals().isEmpty()) {
      return;
    }
    ArrayNode refusals = node.putArray("refusals");
    outcome.refusals().stream().limit(MAX_REFUSALS_SHOWN).forEach(r -> refusal(refusals.addObject(), r, escape));
    node.put("refusalCount", outcome.refusals().size());
  }

  private static void placement(ObjectNode node, Placement p, UnaryOperator<String> escape) {
    node.put("market", p.market().wire());
    p.instanceType().ifPresent(t -> node.put("instanceType", escape.apply(t)));
    p.subnetId().ifPresent(s -> node.put("subnetId", escape.apply(s)));
    p.availabilityZone().ifPresent(z -> node.put("availabilityZone", escape.apply(z)));
  }

  private static void refusal(ObjectNode node, ShapeRefusal r, UnaryOperator<String> escape) {
    node.put("market", r.shape().market().wire());
    r.shape().instanceType().ifPresent(t -> node.put("instanceType", escape.apply(t)));
    r.shape().subnetId().ifPresent(s -> node.put("subnetId", escape.apply(s)));
    node.put("errorCode", escape.apply(r.errorCode()));
  }
}
