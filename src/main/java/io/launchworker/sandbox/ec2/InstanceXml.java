package io.launchworker.sandbox.ec2;

import java.util.List;
import java.util.Map;

/** Writes instances and reservations in the element names the SDK's EC2 unmarshallers read. */
final class InstanceXml {
  /** The account every emulated resource belongs to. */
  static final String OWNER_ID = "123456789012";

  private InstanceXml() {}

  /** The members of a Reservation (reservationId, ownerId, groupSet, instancesSet) into the open element. */
  static void reservationBody(Xml xml, String reservationId, List<StoredInstance> instances) {
    xml.leaf("reservationId", reservationId).leaf("ownerId", OWNER_ID).open("groupSet").close("groupSet");
    xml.open("instancesSet");
    for (StoredInstance instance : instances) {
      instance(xml, instance);
    }
    xml.close("instancesSet");
  }

  static void instance(Xml xml, StoredInstance instance) {
    xml.open("item")
        .leaf("instanceId", instance.instanceId())
        .leaf("imageId", instance.imageId());
    state(xml, "instanceState", instance);
    xml.leaf("privateDnsName", "")
        .leaf("dnsName", "")
        .leaf("keyName", instance.keyName())
        .leaf("amiLaunchIndex", instance.launchIndex())
        .leaf("instanceType", instance.instanceType())
        .leaf("instanceLifecycle", instance.spot() ? MarketOptions.SPOT : null)
        .leaf("spotInstanceRequestId", instance.spotInstanceRequestId())
        .leaf("launchTime", instance.launchTime().toString())
        .open("placement").leaf("availabilityZone", instance.availabilityZone()).close("placement")
        .leaf("subnetId", instance.subnetId())
        .leaf("clientToken", instance.clientToken());
    instance.metadataOptions().write(xml);
    tagSet(xml, instance.tags());
    xml.close("item");
  }

  static void state(Xml xml, String element, StoredInstance instance) {
    xml.open(element).leaf("code", instance.stateCode()).leaf("name", instance.state()).close(element);
  }

  private static void tagSet(Xml xml, Map<String, String> tags) {
    xml.open("tagSet");
    tags.forEach((key, value) -> xml.open("item").leaf("key", key).leaf("value", value).close("item"));
    xml.close("tagSet");
  }
}
