package io.launchworker.sandbox.ec2;

import java.util.Optional;

/**
 * RunInstances: validates like EC2, asks IAM, answers a DryRun, then launches or replays through the store's
 * token ledger.
 */
final class RunInstancesAction {
  /** EC2 answers a DryRun that would have been allowed with this error, HTTP 412 Precondition Failed. */
  private static final String DRY_RUN_OPERATION = "DryRunOperation";
  private static final int DRY_RUN_STATUS = 412;
  private static final String DRY_RUN_MESSAGE = "Request would have succeeded, but DryRun flag is set.";
  /** EC2 rejects client tokens longer than 64 ASCII characters. */
  private static final int MAX_CLIENT_TOKEN_LENGTH = 64;
  private static final String DEFAULT_INSTANCE_TYPE = "m1.small";

  private final InstanceStore store;
  private final LaunchCatalog catalog;
  private final SubnetZones zones;
  private final Ec2Faults faults;

  RunInstancesAction(InstanceStore store, LaunchCatalog catalog, SubnetZones zones, Ec2Faults faults) {
    this.store = store;
    this.catalog = catalog;
    this.zones = zones;
    this.faults = faults;
  }

  String handle(QueryRequest request, String requestId) {
    LaunchSpec spec = validate(request);
    Optional<Ec2Error> denied = faults.runInstancesDenial(spec);
    if (denied.isPresent()) {
      throw denied.get();
    }
    // A DryRun stops here: it neither reads nor records the ClientToken and takes no capacity.
    if (isDryRun(request)) {
      throw new Ec2Error(DRY_RUN_OPERATION, DRY_RUN_STATUS, DRY_RUN_MESSAGE);
    }
    InstanceStore.Reservation reservation =
        store.runInstances(spec, !faults.ignoresClientToken(), faults.describeLag());
    Xml xml = new Xml().root("RunInstancesResponse").leaf("requestId", requestId);
    InstanceXml.reservationBody(xml, reservation.reservationId(), reservation.instances());
    return xml.close("RunInstancesResponse").toString();
  }

  /** True for a RunInstances with {@code DryRun=true}; the SDK sends it only when asked to. */
  static boolean isDryRun(QueryRequest request) {
    return Boolean.parseBoolean(request.get("DryRun"));
  }

  private LaunchSpec validate(QueryRequest request) {
    String imageId = request.get("ImageId");
    boolean fromTemplate = request.has("LaunchTemplate.LaunchTemplateId")
        || request.has("LaunchTemplate.LaunchTemplateName") || request.has("LaunchTemplate.Version");
    if (imageId == null && !fromTemplate) {
      throw Ec2Error.missing("ImageId");
    }
    Integer min = request.integer("MinCount");
    Integer max = request.integer("MaxCount");
    if (min == null) {
      throw Ec2Error.missing("MinCount");
    }
    if (max == null) {
      throw Ec2Error.missing("MaxCount");
    }
    if (min < 1 || max < 1) {
      throw Ec2Error.invalidValue("Value (" + Math.min(min, max) + ") for parameter count is invalid. "
          + "Expected a positive number.");
    }
    if (min > max) {
      throw Ec2Error.invalidValue("MinCount (" + min + ") must not be greater than MaxCount (" + max + ").");
    }
    String token = request.get("ClientToken");
    if (token != null && token.length() > MAX_CLIENT_TOKEN_LENGTH) {
      throw Ec2Error.invalidValue("Value (" + token + ") for parameter clientToken is invalid. "
          + "Client tokens may be at most " + MAX_CLIENT_TOKEN_LENGTH + " characters long.");
    }
    if (fromTemplate) {
      catalog.checkTemplate(request.get("LaunchTemplate.LaunchTemplateId"),
          request.get("LaunchTemplate.LaunchTemplateName"));
    }
    if (imageId != null) {
      catalog.checkImage(imageId);
    }
    String instanceType = request.get("InstanceType");
    String subnetId = request.get("SubnetId");
    return new LaunchSpec(imageId, instanceType == null ? DEFAULT_INSTANCE_TYPE : instanceType, min, max,
        subnetId, zones.zoneOf(subnetId), request.get("KeyName"), token, ResourceTags.of(request),
        MetadataOptions.of(request), MarketOptions.of(request),
        BlockDeviceMappings.rootVolume(request, catalog.rootDeviceName(imageId)), request.canonical());
  }
}
