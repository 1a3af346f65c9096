package io.launchworker.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LaunchRequestTest {

  private static LaunchRequest withCollections(List<String> groups, Map<String, String> tags) {
    return new LaunchRequest(Optional.of(Bodies.AMI), Optional.empty(), Optional.empty(), 1, 1, Optional.empty(),
        groups, Optional.empty(), Optional.empty(), Optional.empty(), tags, Optional.empty(), Optional.empty());
  }

  @Test
  void collectionsAreCopiedAndUnmodifiable() {
    List<String> groups = new ArrayList<>(List.of(Bodies.SG_1));
    Map<String, String> tags = new LinkedHashMap<>(Map.of("a", "1"));
    LaunchRequest r = withCollections(groups, tags);

    groups.add(Bodies.SG_2);
    tags.put("b", "2");

    assertThat(r.securityGroupIds()).containsExactly(Bodies.SG_1);
    assertThat(r.tags()).containsOnlyKeys("a");
    assertThatThrownBy(() -> r.tags().put("c", "3")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> r.securityGroupIds().add("x")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void tagsKeepTheirInsertionOrder() {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put("zeta", "1");
    tags.put("alpha", "2");
    tags.put("mid", "3");

    assertThat(withCollections(List.of(), tags).tags().keySet()).containsExactly("zeta", "alpha", "mid");
  }

  @Test
  void nullComponentsAreRefused() {
    assertThatThrownBy(() -> new LaunchRequest(null, Optional.empty(), Optional.empty(), 1, 1, Optional.empty(),
        List.of(), Optional.empty(), Optional.empty(), Optional.empty(), Map.of(), Optional.empty(),
        Optional.empty())).isInstanceOf(NullPointerException.class);
  }
}
