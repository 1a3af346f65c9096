package io.launchworker.request;

/**
 * The reasons a request body is rejected before EC2 is called. Codes are part of the public interface: they
 * appear in the DLQ attribute {@code launch-worker-reason}, in result events and as metric tags.
 */
public enum RejectReason {
  /** Body is empty, not JSON, truncated, or nested too deep. */
  MALFORMED_JSON("malformed_json"),
  /** Body exceeds the largest SQS message (256 KiB). */
  BODY_TOO_LARGE("body_too_large"),
  /** Top-level JSON value is not an object. */
  NOT_AN_OBJECT("not_an_object"),
  /** The same key appears twice in one object. */
  DUPLICATE_FIELD("duplicate_field"),
  /** A field the schema does not know (a typo must not launch a default). */
  UNKNOWN_FIELD("unknown_field"),
  /** A field has the wrong JSON type (string for a number, float for an integer, null, ...). */
  WRONG_TYPE("wrong_type"),
  /** A required field is missing: neither imageId nor launchTemplate, or a template without id/name. */
  MISSING_FIELD("missing_field"),
  /** Fields that exclude each other are both present (imageId and launchTemplate, template id and name). */
  CONFLICTING_FIELDS("conflicting_fields"),
  /** A field's value is malformed (empty string, control characters, too long, wrong shape). */
  INVALID_VALUE("invalid_value"),
  /** minCount or maxCount below 1. */
  INVALID_COUNT("invalid_count"),
  /** maxCount below minCount. */
  COUNT_ORDER("count_order"),
  /** clientToken longer than 64 characters or not printable ASCII. */
  INVALID_CLIENT_TOKEN("invalid_client_token"),
  /** userData is not valid base64. */
  USER_DATA_NOT_BASE64("user_data_not_base64"),
  /** userData exceeds EC2's 16 KB after base64 decoding. */
  USER_DATA_TOO_LARGE("user_data_too_large"),
  /**
   * More than 47 tags, counting the configured default tags of keys the request does not set: EC2 allows 50 per
   * instance and the worker adds its own 3.
   */
  TOO_MANY_TAGS("too_many_tags"),
  /** A tag key starting with {@code aws:} or {@code launch-worker:} (reserved). */
  RESERVED_TAG_KEY("reserved_tag_key"),
  /** Tag key over 128 characters, value over 256, or empty key. */
  INVALID_TAG("invalid_tag"),
  /** A launch template not matching {@code allowed-launch-templates}; with that list empty, any template. */
  LAUNCH_TEMPLATE_NOT_ALLOWED("launch_template_not_allowed"),
  /** imageId not in the configured allow-list. */
  IMAGE_NOT_ALLOWED("image_not_allowed"),
  /**
   * No instanceType in the request, no configured default and no launch template, while instance types are
   * restricted: EC2 would launch its own default type, which the allow-list never saw.
   */
  INSTANCE_TYPE_REQUIRED("instance_type_required"),
  /** The effective instanceType (the request's or the configured default) not matching any configured glob. */
  INSTANCE_TYPE_NOT_ALLOWED("instance_type_not_allowed"),
  /**
   * No subnetId in the request, no configured default and no launch template, while subnets are restricted: EC2
   * would pick a subnet of the default VPC.
   */
  SUBNET_REQUIRED("subnet_required"),
  /** The effective subnetId not in the configured allow-list. */
  SUBNET_NOT_ALLOWED("subnet_not_allowed"),
  /**
   * No securityGroupIds in the request, none configured by default and no launch template, while groups are
   * restricted: EC2 would attach the VPC's default group.
   */
  SECURITY_GROUP_REQUIRED("security_group_required"),
  /** One of the effective securityGroupIds not in the configured allow-list. */
  SECURITY_GROUP_NOT_ALLOWED("security_group_not_allowed"),
  /** keyName not matching any configured glob. */
  KEY_NAME_NOT_ALLOWED("key_name_not_allowed"),
  /** The instance profile's name (an ARN's part after the last {@code /}) not matching any configured glob. */
  INSTANCE_PROFILE_NOT_ALLOWED("instance_profile_not_allowed"),
  /** maxCount above the configured per-request cap. */
  TOO_MANY_INSTANCES("too_many_instances"),
  /** The request's market uses a market {@code allowed-markets} does not list. */
  MARKET_NOT_ALLOWED("market_not_allowed"),
  /**
   * The request expands to more launch shapes (markets x instanceTypes x subnetIds) than {@code max-shapes}: each
   * shape refused for capacity costs a RunInstances call of the account's shared budget, every receive.
   */
  TOO_MANY_SHAPES("too_many_shapes"),
  /** rootVolume.sizeGiB above {@code max-root-volume-gib}. */
  ROOT_VOLUME_TOO_LARGE("root_volume_too_large"),
  /**
   * rootVolume.encrypted is false while {@code require-encrypted-volumes} is on (the default): the volume would be
   * written unencrypted.
   */
  UNENCRYPTED_VOLUME("unencrypted_volume"),
  /**
   * An imageId request's rootVolume.deviceName is not the image's root device: EC2 would add a second volume there
   * and leave the root as the image has it. Known only after DescribeImages, so decided by the launch stage.
   */
  ROOT_DEVICE_MISMATCH("root_device_mismatch"),
  /** A tag key {@code launcher.tags.enforced} sets (compared ignoring case): a request may not override it. */
  ENFORCED_TAG("enforced_tag"),
  /** A tag key matching none of {@code allowed-tag-keys}, when that list is set. */
  TAG_KEY_NOT_ALLOWED("tag_key_not_allowed");

  private final String code;

  RejectReason(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }
}
