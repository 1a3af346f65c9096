package io.launchworker.sandbox.ec2;

import java.util.List;

/**
 * DescribeImages by {@code ImageId.N}, as a worker asks before it sizes a root volume: each image with its root
 * device. Like EC2, an image that does not exist (here: one rejected through the catalog) fails the whole call
 * rather than being left out. Without IDs, answers the registered images.
 */
final class DescribeImagesAction {
  /** Amazon Linux 2023's root volume: 8 GiB of gp3. */
  private static final int ROOT_VOLUME_GIB = 8;
  private static final String ROOT_VOLUME_TYPE = "gp3";

  private final LaunchCatalog catalog;

  DescribeImagesAction(LaunchCatalog catalog) {
    this.catalog = catalog;
  }

  String handle(QueryRequest request, String requestId) {
    if (!request.members("Filter").isEmpty()) {
      throw Ec2Error.invalidValue("The emulator's DescribeImages answers ImageId.N or the registered images; "
          + "it does not filter.");
    }
    List<String> ids = request.list("ImageId");
    ids.forEach(catalog::checkImage);
    Xml xml = new Xml().root("DescribeImagesResponse").leaf("requestId", requestId).open("imagesSet");
    for (String imageId : ids.isEmpty() ? catalog.registeredImages() : ids) {
      image(xml, imageId, catalog.rootDeviceName(imageId));
    }
    return xml.close("imagesSet").close("DescribeImagesResponse").toString();
  }

  private static void image(Xml xml, String imageId, String rootDeviceName) {
    xml.open("item")
        .leaf("imageId", imageId)
        .leaf("imageLocation", InstanceXml.OWNER_ID + "/emulated-" + imageId)
        .leaf("imageState", "available")
        .leaf("imageOwnerId", InstanceXml.OWNER_ID)
        .leaf("isPublic", false)
        .leaf("architecture", "x86_64")
        .leaf("imageType", "machine")
        .leaf("name", "emulated-" + imageId)
        .leaf("rootDeviceType", "ebs")
        .leaf("rootDeviceName", rootDeviceName)
        .open("blockDeviceMapping").open("item")
        .leaf("deviceName", rootDeviceName)
        .open("ebs")
        .leaf("volumeSize", ROOT_VOLUME_GIB)
        .leaf("volumeType", ROOT_VOLUME_TYPE)
        .leaf("deleteOnTermination", true)
        .leaf("encrypted", false)
        .close("ebs")
        .close("item").close("blockDeviceMapping")
        .leaf("virtualizationType", "hvm")
        .leaf("hypervisor", "xen")
        .close("item");
  }
}
