package io.launchworker.request;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import software.amazon.awssdk.services.ec2.model.HttpTokensState;
import software.amazon.awssdk.services.ec2.model.IamInstanceProfileSpecification;
import software.amazon.awssdk.services.ec2.model.InstanceMetadataEndpointState;
import software.amazon.awssdk.services.ec2.model.InstanceMetadataOptionsRequest;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateSpecification;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * Builds the {@code RunInstancesRequest} for a request: a pure function of (request, defaults, token, message
 * ID), so every attempt of one message sends equal parameters and EC2's ClientToken idempotency holds. Nothing
 * is looked up or resolved (a launch template's version is sent as given).
 *
 * <p>Fields the request leaves out come from {@link LaunchDefaults}; the request always wins. Every launch sends
 * {@code MetadataOptions} from {@link LaunchDefaults#imds()} (IMDSv2 required unless configured otherwise). The
 * instance tags are, in this order: the default tags sorted by key (a request tag with the same key replaces the
 * value in place), the request's other tags in body order, then {@link LaunchTags#TOKEN},
 * {@link LaunchTags#MESSAGE_ID} and {@link LaunchTags#REQUEST_HASH}.
 *
 * <p>Immutable and thread-safe.
 */
public final class RunInstancesMapper {
  private final LaunchDefaults defaults;

  public RunInstancesMapper(LaunchDefaults defaults) {
    this.defaults = Objects.requireNonNull(defaults, "defaults");
  }

  public RunInstancesRequest map(LaunchRequest request, String token, String messageId) {
    return map(request, token, messageId, RequestHash.of(request));
  }

  /** As {@link #map(LaunchRequest, String, String)}, with the request's hash already computed by the caller. */
  public RunInstancesRequest map(LaunchRequest request, String token, String messageId, String requestHash) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(messageId, "messageId");
    Objects.requireNonNull(requestHash, "requestHash");
    RunInstancesRequest.Builder ec2 = RunInstancesRequest.builder()
        .clientToken(token)
        .minCount(request.minCount())
        .maxCount(request.maxCount());
    request.imageId().ifPresent(ec2::imageId);
    request.launchTemplate().ifPresent(t -> ec2.launchTemplate(LaunchTemplateSpecification.builder()
        .launchTemplateId(t.id().orElse(null))
        .launchTemplateName(t.name().orElse(null))
        .version(t.version())
        .build()));
    // The same effective values PolicyCheck checked: a launch template keeps its own type, subnet and groups.
    defaults.instanceTypeFor(request).ifPresent(ec2::instanceType);
    defaults.subnetIdFor(request).ifPresent(ec2::subnetId);
    List<String> groups = defaults.securityGroupIdsFor(request);
    if (!groups.isEmpty()) {
      ec2.securityGroupIds(groups);
    }
    request.keyName().ifPresent(ec2::keyName);
    request.iamInstanceProfile().ifPresent(p -> ec2.iamInstanceProfile(IamInstanceProfileSpecification.builder()
        .arn(p.arn().orElse(null))
        .name(p.name().orElse(null))
        .build()));
    request.userData().ifPresent(ec2::userData);
    ec2.metadataOptions(metadataOptions(defaults.imds()));
    return ec2.tagSpecifications(TagSpecification.builder()
            .resourceType(ResourceType.INSTANCE)
            .tags(tags(request, token, messageId, requestHash))
            .build())
        .build();
  }

  /** Sent with every launch, templates included: a request's parameters override its template's. */
  private static InstanceMetadataOptionsRequest metadataOptions(LaunchDefaults.Imds imds) {
    return InstanceMetadataOptionsRequest.builder()
        .httpEndpoint(InstanceMetadataEndpointState.ENABLED)
        .httpTokens(imds.v1Allowed() ? HttpTokensState.OPTIONAL : HttpTokensState.REQUIRED)
        .httpPutResponseHopLimit(imds.hopLimit())
        .build();
  }

  private List<Tag> tags(LaunchRequest request, String token, String messageId, String requestHash) {
    Map<String, String> tags = new LinkedHashMap<>(new TreeMap<>(defaults.tags()));
    tags.putAll(request.tags());
    // The worker's own tags go last and cannot be overridden, even by a misconfigured default.
    putLast(tags, LaunchTags.TOKEN, token);
    putLast(tags, LaunchTags.MESSAGE_ID, messageId);
    putLast(tags, LaunchTags.REQUEST_HASH, requestHash);
    List<Tag> result = new ArrayList<>(tags.size());
    tags.forEach((key, value) -> result.add(Tag.builder().key(key).value(value).build()));
    return result;
  }

  private static void putLast(Map<String, String> tags, String key, String value) {
    tags.remove(key);
    tags.put(key, value);
  }
}
