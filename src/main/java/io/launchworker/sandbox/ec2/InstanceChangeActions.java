package io.launchworker.sandbox.ec2;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** TerminateInstances and CreateTags: the two mutations besides RunInstances. */
final class InstanceChangeActions {
  private final InstanceStore store;

  InstanceChangeActions(InstanceStore store) {
    this.store = store;
  }

  String terminate(QueryRequest request, String requestId) {
    List<String> ids = request.list("InstanceId");
    if (ids.isEmpty()) {
      throw Ec2Error.missing("InstanceId");
    }
    Xml xml = new Xml().root("TerminateInstancesResponse").leaf("requestId", requestId).open("instancesSet");
    for (InstanceStore.StateChange change : store.terminate(ids)) {
      xml.open("item").leaf("instanceId", change.after().instanceId());
      InstanceXml.state(xml, "currentState", change.after());
      InstanceXml.state(xml, "previousState", change.before());
      xml.close("item");
    }
    return xml.close("instancesSet").close("TerminateInstancesResponse").toString();
  }

  String createTags(QueryRequest request, String requestId) {
    List<String> ids = request.list("ResourceId");
    if (ids.isEmpty()) {
      throw Ec2Error.missing("ResourceId");
    }
    Map<String, String> tags = new LinkedHashMap<>();
    for (QueryRequest tag : request.members("Tag")) {
      String key = tag.get("Key");
      if (key == null || key.isEmpty()) {
        throw Ec2Error.invalidValue("Tag keys must not be empty.");
      }
      tags.put(key, tag.get("Value") == null ? "" : tag.get("Value"));
    }
    if (tags.isEmpty()) {
      throw Ec2Error.missing("Tag");
    }
    store.tag(ids, tags);
    return new Xml().root("CreateTagsResponse").leaf("requestId", requestId).leaf("return", true)
        .close("CreateTagsResponse").toString();
  }
}
