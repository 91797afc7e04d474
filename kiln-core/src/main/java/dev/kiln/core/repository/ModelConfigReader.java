package dev.kiln.core.repository;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.core.model.BatchingConfig;
import dev.kiln.core.model.ModelConfig;
import dev.kiln.core.model.TensorSpec;
import dev.kiln.core.model.VersionPolicy;
import dev.kiln.core.tensor.DataType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Parses a model's {@code config.json}. Keys are lower-case and dashed; unknown keys are an error so that a typo does
 * not silently leave a default in place.
 *
 * <pre>{@code
 * {
 *   "max-batch-size": 32,
 *   "dynamic-batching": {"max-queue-delay-us": 500, "preferred-batch-sizes": [8, 16], "max-queue-size": 1024},
 *   "instance-count": 2,
 *   "version-policy": {"latest": 2} | "all" | {"specific": [1, 3]},
 *   "inputs":  [{"name": "x", "datatype": "FP32", "shape": [-1, 784]}],
 *   "outputs": [{"name": "y", "datatype": "FP32", "shape": [-1, 10]}],
 *   "warmup": true
 * }
 * }</pre>
 */
public final class ModelConfigReader {
  private static final Set<String> KEYS =
      Set.of(
          "max-batch-size",
          "dynamic-batching",
          "instance-count",
          "version-policy",
          "inputs",
          "outputs",
          "warmup",
          "platform");
  private static final Set<String> BATCHING_KEYS =
      Set.of("max-queue-delay-us", "preferred-batch-sizes", "max-queue-size");

  private final ObjectMapper json = new ObjectMapper();

  /**
   * @throws IllegalArgumentException with a message naming the offending key
   */
  public ModelConfig read(String name, String text) {
    JsonNode root;
    try {
      root = json.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("config.json is not valid JSON (line " + e.getLocation().getLineNr() + ")");
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("config.json must be a JSON object");
    }
    checkKeys(root, KEYS, "");
    ModelConfig d = ModelConfig.defaults(name);
    int maxBatch = intOf(root, "max-batch-size", 0);
    JsonNode db = root.path("dynamic-batching");
    BatchingConfig batching;
    if (db.isMissingNode()) {
      batching = new BatchingConfig(maxBatch, Duration.ZERO, List.of(), BatchingConfig.DEFAULT_QUEUE_SIZE);
    } else {
      checkKeys(db, BATCHING_KEYS, "dynamic-batching.");
      List<Integer> preferred = new ArrayList<>();
      JsonNode sizes = db.path("preferred-batch-sizes");
      if (!sizes.isMissingNode() && !sizes.isArray()) {
        throw new IllegalArgumentException("dynamic-batching.preferred-batch-sizes must be a list of integers");
      }
      sizes.forEach(n -> preferred.add(intValue(n, "dynamic-batching.preferred-batch-sizes")));
      batching =
          new BatchingConfig(
              maxBatch,
              Duration.ofNanos(1000L * intOf(db, "max-queue-delay-us", 0)),
              preferred,
              intOf(db, "max-queue-size", BatchingConfig.DEFAULT_QUEUE_SIZE));
    }
    return new ModelConfig(
        name,
        batching,
        intOf(root, "instance-count", d.instanceCount()),
        policy(root.path("version-policy")),
        specs(root.path("inputs"), "inputs"),
        specs(root.path("outputs"), "outputs"),
        booleanOf(root, "warmup", d.warmup()));
  }

  /** The {@code platform} key, when the config names one. */
  public String platform(String text) {
    try {
      JsonNode p = json.readTree(text).path("platform");
      return p.isTextual() ? p.asText() : null;
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  private static VersionPolicy policy(JsonNode n) {
    if (n.isMissingNode() || n.isNull()) {
      return VersionPolicy.latest();
    }
    if (n.isTextual() && n.asText().equals("all")) {
      return new VersionPolicy.All();
    }
    if (n.isObject() && n.has("latest")) {
      return new VersionPolicy.Latest(intValue(n.get("latest"), "version-policy.latest"));
    }
    if (n.isObject() && n.has("specific") && n.get("specific").isArray()) {
      List<Long> v = new ArrayList<>();
      for (JsonNode x : n.get("specific")) {
        if (!x.isIntegralNumber() || !x.canConvertToLong()) {
          throw new IllegalArgumentException("version-policy.specific must list integers");
        }
        v.add(x.asLong());
      }
      return new VersionPolicy.Specific(v);
    }
    throw new IllegalArgumentException("version-policy must be {\"latest\": n}, \"all\" or {\"specific\": [versions]}");
  }

  private static List<TensorSpec> specs(JsonNode n, String key) {
    List<TensorSpec> out = new ArrayList<>();
    if (n.isMissingNode()) {
      return out;
    }
    if (!n.isArray()) {
      throw new IllegalArgumentException(key + " must be a list");
    }
    for (JsonNode t : n) {
      String name = t.path("name").asText(null);
      DataType type =
          DataType.parse(t.path("datatype").asText(null))
              .orElseThrow(
                  () -> new IllegalArgumentException(key + ": datatype of '" + name + "' is missing or unknown"));
      JsonNode shape = t.path("shape");
      if (name == null || !shape.isArray()) {
        throw new IllegalArgumentException(key + ": each entry needs name, datatype and shape");
      }
      long[] s = new long[shape.size()];
      for (int i = 0; i < s.length; i++) {
        s[i] = shape.get(i).asLong();
      }
      out.add(new TensorSpec(name, type, s));
    }
    return out;
  }

  private static int intOf(JsonNode n, String key, int def) {
    JsonNode v = n.path(key);
    if (v.isMissingNode()) {
      return def;
    }
    return intValue(v, key);
  }

  private static int intValue(JsonNode v, String key) {
    // canConvertToInt alone accepts 8.5 (and truncates it); a typo must not silently become another number
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new IllegalArgumentException(key + " must be an integer");
    }
    return v.asInt();
  }

  private static boolean booleanOf(JsonNode n, String key, boolean def) {
    JsonNode v = n.path(key);
    if (v.isMissingNode()) {
      return def;
    }
    if (!v.isBoolean()) {
      throw new IllegalArgumentException(key + " must be true or false");
    }
    return v.asBoolean();
  }

  private static void checkKeys(JsonNode n, Set<String> allowed, String prefix) {
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!allowed.contains(k)) {
        throw new IllegalArgumentException("unknown config key: " + prefix + k);
      }
    }
  }
}
