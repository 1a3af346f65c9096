package io.launchworker.sandbox.ec2;

import static io.launchworker.sandbox.ec2.Ec2Clients.launch;
import static io.launchworker.sandbox.ec2.RunInstancesTest.assertErrorCode;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.HttpTokensState;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceMetadataEndpointState;
import software.amazon.awssdk.services.ec2.model.InstanceMetadataOptionsResponse;
import software.amazon.awssdk.services.ec2.model.InstanceStateChange;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.Tag;

class DescribeInstancesTest extends EmulatorTest {
  private String launchTagged(String token, String team) {
    return ec2.runInstances(launch(token)
            .tagSpecifications(s -> s.resourceType("instance").tags(t -> t.key("team").value(team)))
            .build())
        .instances().get(0).instanceId();
  }

  private List<String> idsMatching(Filter... filters) {
    return ec2.describeInstances(d -> d.filters(filters)).reservations().stream()
        .flatMap(r -> r.instances().stream()).map(Instance::instanceId).toList();
  }

  private static Filter filter(String name, String... values) {
    return Filter.builder().name(name).values(values).build();
  }

  @Test
  void clientTokenFilterFindsTheInstancesOfThatTokenWithTokenAndTags() {
    String a = launchTagged("token-a", "red");
    launchTagged("token-b", "blue");

    DescribeInstancesResponse response = ec2.describeInstances(d -> d.filters(filter("client-token", "token-a")));

    assertThat(response.reservations()).hasSize(1);
    Reservation reservation = response.reservations().get(0);
    assertThat(reservation.reservationId()).matches("r-[0-9a-f]{17}");
    assertThat(reservation.ownerId()).isEqualTo("123456789012");
    Instance instance = reservation.instances().get(0);
    assertThat(instance.instanceId()).isEqualTo(a);
    assertThat(instance.clientToken()).isEqualTo("token-a");
    assertThat(instance.tags()).containsExactly(Tag.builder().key("team").value("red").build());
    assertThat(response.nextToken()).isNull();
  }

  @Test
  void tagValueFilterMatchesValuesAndWildcards() {
    String red = launchTagged("t1", "red");
    String blue = launchTagged("t2", "blue");

    assertThat(idsMatching(filter("tag:team", "red"))).containsExactly(red);
    assertThat(idsMatching(filter("tag:team", "red", "blue"))).containsExactly(red, blue);
    assertThat(idsMatching(filter("tag:team", "b*"))).containsExactly(blue);
    assertThat(idsMatching(filter("tag:team", "gr?en"))).isEmpty();
  }

  @Test
  void tagKeyFilterMatchesInstancesHavingTheKey() {
    String tagged = launchTagged("t1", "red");
    ec2.runInstances(launch("t2").tagSpecifications(List.of()).build());

    assertThat(idsMatching(filter("tag-key", "team"))).containsExactly(tagged);
  }

  @Test
  void launchTimeFilterMatchesWholeHoursByWildcardAndTheExactTimeWithout() {
    String tagged = launchTagged("t1", "red");
    ec2.runInstances(launch("t2").tagSpecifications(List.of()).build());
    java.time.Instant launched = emulator.instances().get(0).launchTime();
    java.time.format.DateTimeFormatter hourOf = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH")
        .withZone(java.time.ZoneOffset.UTC);
    String thisHour = hourOf.format(launched) + ":*";
    String previousHour = hourOf.format(launched.minus(java.time.Duration.ofHours(1))) + ":*";
    String exact = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
        .withZone(java.time.ZoneOffset.UTC).format(launched);

    assertThat(idsMatching(filter("launch-time", previousHour, thisHour), filter("tag-key", "team")))
        .containsExactly(tagged);
    assertThat(idsMatching(filter("launch-time", previousHour))).isEmpty();
    assertThat(idsMatching(filter("launch-time", exact.substring(0, 12) + "?" + exact.substring(13)),
        filter("tag-key", "team"))).containsExactly(tagged);
    assertThat(idsMatching(filter("launch-time", exact), filter("tag-key", "team"))).containsExactly(tagged);
  }

  @Test
  void instanceStateNameFilterTellsRunningFromTerminated() {
    String kept = launchTagged("t1", "red");
    String gone = launchTagged("t2", "red");

    List<InstanceStateChange> changes = ec2.terminateInstances(t -> t.instanceIds(gone)).terminatingInstances();

    assertThat(changes).singleElement().satisfies(change -> {
      assertThat(change.instanceId()).isEqualTo(gone);
      assertThat(change.previousState().name()).isEqualTo(InstanceStateName.RUNNING);
      assertThat(change.currentState().name()).isEqualTo(InstanceStateName.TERMINATED);
      assertThat(change.currentState().code()).isEqualTo(48);
    });
    assertThat(idsMatching(filter("instance-state-name", "running"))).containsExactly(kept);
    assertThat(idsMatching(filter("instance-state-name", "terminated"))).containsExactly(gone);
  }

  @Test
  void instanceIdFilterAndInstanceIdsSelectThoseInstances() {
    String a = launchTagged("t1", "red");
    String b = launchTagged("t2", "red");
    launchTagged("t3", "red");

    assertThat(idsMatching(filter("instance-id", a, b))).containsExactly(a, b);
    assertThat(ec2.describeInstances(d -> d.instanceIds(b)).reservations().get(0).instances())
        .extracting(Instance::instanceId).containsExactly(b);
  }

  @Test
  void filtersAreAndedTogether() {
    String red = launchTagged("t1", "red");
    launchTagged("t2", "blue");

    assertThat(idsMatching(filter("tag:team", "red", "blue"), filter("client-token", "t1"))).containsExactly(red);
  }

  @Test
  void unknownInstanceIdsAndFilterNamesFailLikeEc2() {
    assertErrorCode(() -> ec2.describeInstances(d -> d.instanceIds("i-00000000000000000")),
        "InvalidInstanceID.NotFound", 400);
    assertErrorCode(() -> ec2.describeInstances(d -> d.filters(filter("colour", "red"))),
        "InvalidParameterValue", 400);
    assertErrorCode(() -> ec2.describeInstances(d -> d.maxResults(4)), "InvalidParameterValue", 400);
  }

  @Test
  void sdkPaginatorWalksTwentyFiveInstancesInPagesOfFive() {
    for (int i = 0; i < 25; i++) {
      launchTagged("token-" + i, "red");
    }

    List<DescribeInstancesResponse> pages = ec2.describeInstancesPaginator(d -> d.maxResults(5)).stream().toList();

    assertThat(pages).hasSize(5);
    assertThat(pages.subList(0, 4)).allSatisfy(page -> assertThat(page.nextToken()).isNotBlank());
    List<String> ids = pages.stream().flatMap(p -> p.reservations().stream())
        .flatMap(r -> r.instances().stream()).map(Instance::instanceId).toList();
    assertThat(ids).hasSize(25).doesNotHaveDuplicates()
        .containsExactlyElementsOf(emulator.instances().stream().map(EmulatedInstance::instanceId).toList());
    assertThat(ec2.describeInstancesPaginator(d -> d.maxResults(5)).reservations()).hasSize(25);
  }

  @Test
  void createTagsAddsAndOverwritesTags() {
    String id = launchTagged("t1", "red");

    ec2.createTags(c -> c.resources(id).tags(t -> t.key("team").value("green"), t -> t.key("owner").value("me")));

    assertThat(emulator.instances().get(0).tags()).isEqualTo(Map.of("team", "green", "owner", "me"));
    assertThat(idsMatching(filter("tag:owner", "me"))).containsExactly(id);
    assertErrorCode(() -> ec2.createTags(c -> c.resources("i-00000000000000000").tags(t -> t.key("k").value("v"))),
        "InvalidInstanceID.NotFound", 400);
  }

  @Test
  void metadataOptionsSentWithRunInstancesAreRecordedAndDescribed() {
    String strict = ec2.runInstances(launch("imds-v2").metadataOptions(m -> m.httpTokens(HttpTokensState.REQUIRED)
        .httpEndpoint(InstanceMetadataEndpointState.ENABLED).httpPutResponseHopLimit(2)).build())
        .instances().get(0).instanceId();

    InstanceMetadataOptionsResponse described = ec2.describeInstances(d -> d.instanceIds(strict)).reservations()
        .get(0).instances().get(0).metadataOptions();

    assertThat(described.httpTokens()).isEqualTo(HttpTokensState.REQUIRED);
    assertThat(described.httpEndpoint()).isEqualTo(InstanceMetadataEndpointState.ENABLED);
    assertThat(described.httpPutResponseHopLimit()).isEqualTo(2);
    assertThat(described.stateAsString()).isEqualTo("applied");
  }

  @Test
  void aLaunchWithoutMetadataOptionsGetsEc2sDefaultsSoImdsV1IsOn() {
    String lax = launchTagged("no-imds-options", "red");

    InstanceMetadataOptionsResponse described = ec2.describeInstances(d -> d.instanceIds(lax)).reservations()
        .get(0).instances().get(0).metadataOptions();

    assertThat(described.httpTokens()).isEqualTo(HttpTokensState.OPTIONAL);
    assertThat(described.httpPutResponseHopLimit()).isEqualTo(1);
    assertThat(described.httpEndpoint()).isEqualTo(InstanceMetadataEndpointState.ENABLED);
  }

  @Test
  void metadataOptionsEc2WouldRefuseAreInvalidParameterValue() {
    assertErrorCode(() -> ec2.runInstances(launch("hops").metadataOptions(m -> m.httpPutResponseHopLimit(65))
        .build()), "InvalidParameterValue", 400);
    assertErrorCode(() -> ec2.runInstances(launch("tokens").metadataOptions(m -> m.httpTokens("sometimes"))
        .build()), "InvalidParameterValue", 400);
    assertThat(emulator.instances()).isEmpty();
  }
}
