package dev.kiln.protocol.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.explain.Attribution;
import dev.kiln.core.explain.ExplainRequest;
import dev.kiln.core.explain.Explanation;
import dev.kiln.core.tensor.Tensor;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/** Reads an explain request's {@code parameters} and renders an {@link Explanation}; the method is the core's. */
final class ExplainJson {
  private ExplainJson() {}

  static ExplainRequest request(Map<String, Tensor> inputs, JsonNode parameters) {
    if (!parameters.isMissingNode() && !parameters.isObject()) {
      throw KilnException.invalid("'parameters' must be an object");
    }
    Tensor first = inputs.values().iterator().next();
    JsonNode method = parameters.path("method");
    if (!method.isMissingNode() && !method.isTextual()) {
      throw KilnException.invalid("parameters.method must be a string");
    }
    return new ExplainRequest(
        inputs,
        ExplainRequest.Method.of(method.asText(""), first),
        positive(parameters.path("samples"), "samples", 0),
        background(parameters.path("background")),
        targets(parameters.path("targets")),
        positive(parameters.path("patch"), "patch", ExplainRequest.DEFAULT_PATCH),
        output(parameters.path("output")));
  }

  private static String output(JsonNode n) {
    if (n.isMissingNode() || n.isNull()) {
      return "";
    }
    if (!n.isTextual() || n.asText().isEmpty()) {
      throw KilnException.invalid("parameters.output must be an output's name");
    }
    return n.asText();
  }

  private static int positive(JsonNode n, String name, int otherwise) {
    if (n.isMissingNode() || n.isNull()) {
      return otherwise;
    }
    if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 1) {
      throw KilnException.invalid("parameters." + name + " must be a positive integer");
    }
    return n.asInt();
  }

  private static double[][] background(JsonNode n) {
    if (n.isMissingNode() || n.isNull()) {
      return new double[0][];
    }
    if (!n.isArray()) {
      throw KilnException.invalid("parameters.background must be an array of rows (arrays of numbers)");
    }
    double[][] rows = new double[n.size()][];
    for (int r = 0; r < rows.length; r++) {
      JsonNode row = n.get(r);
      if (!row.isArray()) {
        throw KilnException.invalid("parameters.background[" + r + "] must be an array of numbers");
      }
      rows[r] = new double[row.size()];
      for (int i = 0; i < rows[r].length; i++) {
        if (!row.get(i).isNumber()) {
          throw KilnException.invalid("parameters.background[" + r + "][" + i + "] must be a number");
        }
        rows[r][i] = row.get(i).asDouble();
      }
    }
    return rows;
  }

  private static int[] targets(JsonNode n) {
    if (n.isMissingNode() || n.isNull()) {
      return new int[0];
    }
    if (!n.isArray()) {
      throw KilnException.invalid("parameters.targets must be an array of output indices");
    }
    int[] t = new int[n.size()];
    for (int i = 0; i < t.length; i++) {
      if (!n.get(i).isIntegralNumber() || !n.get(i).canConvertToInt()) {
        throw KilnException.invalid("parameters.targets must be an array of output indices");
      }
      t[i] = n.get(i).asInt();
    }
    return t;
  }

  static ObjectNode render(ObjectMapper mapper, Explanation e) {
    ObjectNode o = mapper.createObjectNode();
    o.put("model_name", e.model()).put("model_version", Long.toString(e.version()));
    o.put("method", e.method().wireName()).put("input", e.input()).put("output", e.output());
    ArrayNode shape = o.putArray("shape");
    for (long d : e.shape()) {
      shape.add(d);
    }
    o.put("evaluations", e.evaluations());
    o.putObject("background").put("source", e.background().source()).put("rows", e.background().rows());
    ArrayNode list = o.putArray("explanations");
    for (Attribution a : e.attributions()) {
      ObjectNode x = list.addObject();
      x.put("target", a.target()).put("prediction", a.prediction()).put("base_value", a.baseValue());
      double[] values = a.values();
      ArrayNode v = x.putArray("attributions");
      for (double d : values) {
        v.add(d);
      }
      if (!e.names().isEmpty()) {
        named(x.putArray("features"), e.names(), values);
      }
    }
    return o;
  }

  /** Each raw column with its attribution, the largest in magnitude first: what drove this prediction, in order. */
  private static void named(ArrayNode out, List<String> names, double[] values) {
    IntStream.range(0, values.length)
        .boxed()
        .sorted(Comparator.comparingDouble((Integer i) -> -Math.abs(values[i])))
        .forEach(i -> out.addObject().put("name", names.get(i)).put("index", i).put("attribution", values[i]));
  }
}
