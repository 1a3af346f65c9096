package io.launchworker.request;

import static io.launchworker.request.Bodies.AMI;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;

/**
 * Configured default tags are added to every instance, so they take from the 47 tags a request may carry: EC2
 * refuses a RunInstances call with more than 50 tags per resource, and the worker writes 3 of its own.
 */
class DefaultTagBudgetTest {
  private static final int EC2_MAX_TAGS_PER_RESOURCE = 50;

  private static LaunchDefaults defaultTags(Map<String, String> tags) {
    return new LaunchDefaults(Optional.empty(), Optional.empty(), List.of(), tags);
  }

  /** {@code n} tags named {@code prefix0}, {@code prefix1}, … */
  private static Map<String, String> tags(String prefix, int n) {
    Map<String, String> tags = new LinkedHashMap<>();
    IntStream.range(0, n).forEach(i -> tags.put(prefix + i, "v"));
    return tags;
  }

  private static String body(Map<String, String> tags) {
    return "{\"imageId\":\"" + AMI + "\",\"tags\":{" + tags.keySet().stream()
        .map(k -> "\"" + k + "\":\"v\"").collect(Collectors.joining(",")) + "}}";
  }

  private static ReadResult read(String body, LaunchDefaults defaults) {
    return new RequestReader(LaunchPolicy.permissive(), defaults).read(body);
  }

  private static int mappedTagCount(LaunchRequest request, LaunchDefaults defaults) {
    RunInstancesRequest ec2 = new RunInstancesMapper(defaults).map(request, "token-1", "message-1");
    return ec2.tagSpecifications().get(0).tags().size();
  }

  @Test
  void fortySevenTagsPlusADefaultTagOfAnotherKeyAreTooMany() {
    ReadResult result = read(body(tags("t", 47)), defaultTags(Map.of("owner", "platform")));

    assertThat(result).isInstanceOfSatisfying(ReadResult.Rejected.class, r -> {
      assertThat(r.rejection().reason()).isEqualTo(RejectReason.TOO_MANY_TAGS.code());
      assertThat(r.rejection().message())
          .isEqualTo("tags: 47 tags, and launcher.defaults.tags adds 1 more (default keys the request does not "
              + "set); allowed: at most 47 in all (EC2 allows 50 and the worker adds 3)");
    });
  }

  @Test
  void aDefaultTagWhoseKeyTheRequestSetsAddsNothing() {
    Map<String, String> request = tags("t", 47);
    LaunchDefaults defaults = defaultTags(Map.of("t5", "from-config"));

    ReadResult result = read(body(request), defaults);

    assertThat(result).isInstanceOf(ReadResult.Accepted.class);
    assertThat(mappedTagCount(((ReadResult.Accepted) result).request(), defaults)).isEqualTo(50);
  }

  @Test
  void aRequestWithoutTagsFitsAnyDefaultsConfigurationAllowsButNotMore() {
    assertThat(read(Bodies.MINIMAL, defaultTags(tags("d", 47)))).isInstanceOf(ReadResult.Accepted.class);

    ReadResult result = read(Bodies.MINIMAL, defaultTags(tags("d", 48)));

    assertThat(result).isInstanceOfSatisfying(ReadResult.Rejected.class, r ->
        assertThat(r.rejection().message()).startsWith("tags: 0 tags, and launcher.defaults.tags adds 48 more"));
  }

  @Test
  void defaultTagsUnderTheWorkersOwnKeysDoNotCountBecauseTheWorkerReplacesThem() {
    Map<String, String> defaults = new LinkedHashMap<>(Map.of(LaunchTags.TOKEN, "x", LaunchTags.MESSAGE_ID, "y"));

    assertThat(read(body(tags("t", 47)), defaultTags(defaults))).isInstanceOf(ReadResult.Accepted.class);
  }

  /**
   * Every mix of request tags, new default keys and default keys the request overrides: a request is accepted
   * exactly when the RunInstancesRequest the worker builds for it carries at most EC2's 50 tags.
   */
  @Test
  void anAcceptedRequestNeverMapsToMoreThanFiftyTagsAndARejectedOneWouldHave() {
    int accepted = 0;
    int rejected = 0;
    for (int own = 0; own <= 48; own += 4) {
      for (int fresh = 0; fresh <= 47; fresh += 3) {
        for (int overridden = 0; overridden <= Math.min(own, 6); overridden += 3) {
          Map<String, String> request = tags("t", own);
          Map<String, String> defaults = tags("d", fresh);
          defaults.putAll(tags("t", overridden));
          LaunchDefaults configured = defaultTags(defaults);

          ReadResult result = read(body(request), configured);

          // What EC2 would get, built from the same request read without the budget.
          int mapped = own <= 47
              ? mappedTagCount(((ReadResult.Accepted) read(body(request), LaunchDefaults.none())).request(), configured)
              : own + fresh + 3;
          String mix = own + " request tags, " + fresh + " new default keys, " + overridden + " overridden";
          if (result instanceof ReadResult.Accepted a) {
            accepted++;
            assertThat(mappedTagCount(a.request(), configured)).as(mix).isEqualTo(mapped)
                .isLessThanOrEqualTo(EC2_MAX_TAGS_PER_RESOURCE);
          } else {
            rejected++;
            assertThat(((ReadResult.Rejected) result).rejection().reason()).as(mix)
                .isEqualTo(RejectReason.TOO_MANY_TAGS.code());
            assertThat(mapped).as(mix).isGreaterThan(EC2_MAX_TAGS_PER_RESOURCE);
          }
        }
      }
    }
    assertThat(accepted).as("accepted").isPositive();
    assertThat(rejected).as("rejected").isPositive();
  }
}
