package io.launchworker.sandbox.ec2;

import static io.launchworker.sandbox.ec2.RunInstancesTest.assertErrorCode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.DeviceType;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ImageState;

class DescribeImagesTest extends EmulatorTest {
  @Test
  void anyAmiIsAnAvailableEbsImageWithItsRootDeviceOnXvda() {
    Image image = ec2.describeImages(d -> d.imageIds("ami-12345678")).images().get(0);

    assertThat(image.imageId()).isEqualTo("ami-12345678");
    assertThat(image.rootDeviceName()).isEqualTo("/dev/xvda");
    assertThat(image.rootDeviceType()).isEqualTo(DeviceType.EBS);
    assertThat(image.state()).isEqualTo(ImageState.AVAILABLE);
    assertThat(image.name()).isEqualTo("emulated-ami-12345678");
    assertThat(image.ownerId()).isEqualTo("123456789012");
    assertThat(image.blockDeviceMappings()).singleElement().satisfies(root -> {
      assertThat(root.deviceName()).isEqualTo("/dev/xvda");
      assertThat(root.ebs().volumeSize()).isEqualTo(8);
    });
  }

  @Test
  void registeredImageAnswersItsRootDeviceInTheOrderAsked() {
    emulator.image("ami-ubuntu", "/dev/sda1");

    var images = ec2.describeImages(d -> d.imageIds("ami-ubuntu", "ami-amazon")).images();

    assertThat(images).extracting(Image::imageId).containsExactly("ami-ubuntu", "ami-amazon");
    assertThat(images).extracting(Image::rootDeviceName).containsExactly("/dev/sda1", "/dev/xvda");
  }

  @Test
  void rejectedImageAskedForByIdIsInvalidAmiIdNotFoundLikeEc2() {
    emulator.rejectImage("ami-gone", "InvalidAMIID.NotFound");

    assertErrorCode(() -> ec2.describeImages(d -> d.imageIds("ami-12345678", "ami-gone")),
        "InvalidAMIID.NotFound", 400);
    assertThatThrownBy(() -> ec2.describeImages(d -> d.imageIds("ami-gone")))
        .isInstanceOfSatisfying(Ec2Exception.class, e -> assertThat(e.awsErrorDetails().errorMessage())
            .isEqualTo("The image id '[ami-gone]' does not exist"));
  }

  @Test
  void malformedImageIdIsInvalidAmiIdMalformed() {
    assertErrorCode(() -> ec2.describeImages(d -> d.imageIds("img-1")), "InvalidAMIID.Malformed", 400);
  }

  @Test
  void withoutIdsAnswersTheRegisteredImagesThatAreNotRejected() {
    emulator.image("ami-b", "/dev/sda1");
    emulator.image("ami-a", "/dev/xvda");
    emulator.image("ami-c", "/dev/xvda");
    emulator.rejectImage("ami-c", "InvalidAMIID.NotFound");

    assertThat(ec2.describeImages().images()).extracting(Image::imageId).containsExactly("ami-a", "ami-b");
    assertThat(emulator.stats().calls("DescribeImages")).isEqualTo(1);
  }

  @Test
  void filtersAreRefusedRatherThanIgnored() {
    assertErrorCode(() -> ec2.describeImages(d -> d.filters(f -> f.name("name").values("al2023-*"))),
        "InvalidParameterValue", 400);
  }
}
