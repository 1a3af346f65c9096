package io.launchworker.sandbox.ec2;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Known launch templates, images with their root device, and rejected images. Every well-formed {@code ami-} ID
 * that was not rejected is an image, with the root device {@value #DEFAULT_ROOT_DEVICE} unless registered with
 * another. Thread-safe; changes apply to the next request.
 */
final class LaunchCatalog {
  /** The root device of Amazon Linux images; Ubuntu and Windows images use {@code /dev/sda1}. */
  static final String DEFAULT_ROOT_DEVICE = "/dev/xvda";

  private final Map<String, String> templateNamesById = new ConcurrentHashMap<>();
  private final Map<String, String> templateIdsByName = new ConcurrentHashMap<>();
  private final Map<String, String> rejectedImages = new ConcurrentHashMap<>();
  private final Map<String, String> rootDevices = new ConcurrentHashMap<>();

  void registerTemplate(String id, String name) {
    templateNamesById.put(id, name);
    templateIdsByName.put(name, id);
  }

  void rejectImage(String imageId, String errorCode) {
    rejectedImages.put(imageId, errorCode);
  }

  void registerImage(String imageId, String rootDeviceName) {
    Objects.requireNonNull(rootDeviceName, "rootDeviceName");
    if (imageId == null || !imageId.startsWith("ami-")) {
      throw new IllegalArgumentException("image IDs start with ami-, got " + imageId);
    }
    rootDevices.put(imageId, rootDeviceName);
  }

  /** The root device name of imageId; {@value #DEFAULT_ROOT_DEVICE} for an unregistered image or none. */
  String rootDeviceName(String imageId) {
    return imageId == null ? DEFAULT_ROOT_DEVICE : rootDevices.getOrDefault(imageId, DEFAULT_ROOT_DEVICE);
  }

  /** Registered images that are not rejected, sorted by ID. */
  List<String> registeredImages() {
    return rootDevices.keySet().stream().filter(id -> !rejectedImages.containsKey(id)).sorted().toList();
  }

  /** Fails like EC2 when the image is malformed or rejected. */
  void checkImage(String imageId) {
    if (!imageId.startsWith("ami-")) {
      throw Ec2Error.badRequest("InvalidAMIID.Malformed", "Invalid id: \"" + imageId + "\" (expecting \"ami-...\")");
    }
    String code = rejectedImages.get(imageId);
    if (code != null) {
      throw Ec2Error.badRequest(code, "The image id '[" + imageId + "]' does not exist");
    }
  }

  /** Fails like EC2 when the template given by id or by name is not registered. */
  void checkTemplate(String id, String name) {
    if (id != null && name != null) {
      throw Ec2Error.badRequest("InvalidParameterCombination",
          "Specify either a launch template ID or a launch template name, not both.");
    }
    if (id != null && !templateNamesById.containsKey(id)) {
      throw Ec2Error.badRequest("InvalidLaunchTemplateId.NotFound",
          "The specified launch template, with template ID " + id + ", does not exist.");
    }
    if (name != null && !templateIdsByName.containsKey(name)) {
      throw Ec2Error.badRequest("InvalidLaunchTemplateName.NotFoundException",
          "The specified launch template, with template name " + name + ", does not exist.");
    }
    if (id == null && name == null) {
      throw Ec2Error.missing("LaunchTemplate.LaunchTemplateId or LaunchTemplate.LaunchTemplateName");
    }
  }
}
