package dev.kiln.protocol.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.model.TensorSpec;
import dev.kiln.core.model.VersionPolicy;
import dev.kiln.core.oip.ModelConfigView;
import dev.kiln.core.oip.ServerMetadata;
import dev.kiln.core.serving.ModelMetadata;
import dev.kiln.core.serving.RepositoryEntry;
import dev.kiln.core.serving.Statistics;
import java.util.List;

/** The JSON documents of the server metadata, model metadata, configuration, statistics and repository endpoints. */
final class OipJson {
  private final ObjectMapper json = new ObjectMapper();

  ObjectNode metadata(ModelMetadata m) {
    ObjectNode o = json.createObjectNode().put("name", m.name());
    ArrayNode versions = o.putArray("versions");
    m.versions().forEach(versions::add);
    o.put("platform", m.platform());
    o.set("inputs", tensors(m.signature().inputs()));
    o.set("outputs", tensors(m.signature().outputs()));
    return o;
  }

  private ArrayNode tensors(List<TensorSpec> specs) {
    ArrayNode a = json.createArrayNode();
    for (TensorSpec t : specs) {
      ObjectNode o = a.addObject().put("name", t.name()).put("datatype", t.datatype().name());
      ArrayNode s = o.putArray("shape");
      for (long d : t.shape()) {
        s.add(d);
      }
      if (!t.columns().isEmpty()) {
        // OIP's tensor metadata has no field for this; "parameters" is its place for extensions.
        ArrayNode c = o.putObject("parameters").putArray("columns");
        t.columns().forEach(c::add);
      }
    }
    return a;
  }

  /** Triton's model configuration JSON, so tools written for Triton read it; see {@link ModelConfigView}. */
  ObjectNode config(ModelConfigView c) {
    ObjectNode o =
        json.createObjectNode()
            .put("name", c.name())
            .put("platform", c.platform())
            .put("max_batch_size", c.maxBatchSize());
    o.set("input", configTensors(c.inputs()));
    o.set("output", configTensors(c.outputs()));
    c.dynamicBatching()
        .ifPresent(b -> {
          ObjectNode db = o.putObject("dynamic_batching");
          ArrayNode pref = db.putArray("preferred_batch_size");
          b.preferredBatchSizes().forEach(pref::add);
          db.put("max_queue_delay_microseconds", b.maxQueueDelayMicroseconds());
        });
    o.putArray("instance_group").addObject().put("count", c.instanceCount()).put("kind", ModelConfigView.INSTANCE_KIND);
    ObjectNode vp = o.putObject("version_policy");
    switch (c.versionPolicy()) {
      case VersionPolicy.Latest l -> vp.putObject("latest").put("num_versions", l.n());
      case VersionPolicy.All a -> vp.putObject("all");
      case VersionPolicy.Specific s -> {
        ArrayNode v = vp.putObject("specific").putArray("versions");
        s.versions().forEach(v::add);
      }
    }
    return o;
  }

  private ArrayNode configTensors(List<ModelConfigView.Tensor> tensors) {
    ArrayNode a = json.createArrayNode();
    for (ModelConfigView.Tensor t : tensors) {
      ObjectNode o = a.addObject().put("name", t.name()).put("data_type", t.dataType());
      ArrayNode dims = o.putArray("dims");
      t.dims().forEach(dims::add);
    }
    return a;
  }

  ObjectNode server(ServerMetadata m) {
    ObjectNode o = json.createObjectNode().put("name", m.name()).put("version", m.version());
    ArrayNode ext = o.putArray("extensions");
    m.extensions().forEach(ext::add);
    return o;
  }

  /** {@code {"<key>": value}}, the body of the health probes. */
  ObjectNode flag(String key, boolean value) {
    return json.createObjectNode().put(key, value);
  }

  ObjectNode statistics(List<Statistics> stats) {
    ObjectNode root = json.createObjectNode();
    ArrayNode a = root.putArray("model_stats");
    for (Statistics s : stats) {
      ObjectNode o =
          a.addObject()
              .put("name", s.name())
              .put("version", s.version())
              .put("last_inference", s.lastInferenceMillis())
              .put("inference_count", s.inferenceCount())
              .put("execution_count", s.executionCount());
      ObjectNode is = o.putObject("inference_stats");
      duration(is, "success", s.success());
      duration(is, "fail", s.fail());
      duration(is, "queue", s.queue());
      duration(is, "compute_input", new Statistics.Duration(0, 0));
      duration(is, "compute_infer", s.computeInfer());
      duration(is, "compute_output", new Statistics.Duration(0, 0));
      o.putArray("batch_stats");
    }
    return root;
  }

  private static void duration(ObjectNode parent, String name, Statistics.Duration d) {
    parent.putObject(name).put("count", d.count()).put("ns", d.ns());
  }

  ArrayNode index(List<RepositoryEntry> entries) {
    ArrayNode a = json.createArrayNode();
    for (RepositoryEntry e : entries) {
      ObjectNode o = a.addObject().put("name", e.name());
      if (!e.version().isEmpty()) {
        o.put("version", e.version());
      }
      o.put("state", e.state().name());
      if (!e.reason().isEmpty()) {
        o.put("reason", e.reason());
      }
    }
    return a;
  }

  ObjectMapper mapper() {
    return json;
  }
}
