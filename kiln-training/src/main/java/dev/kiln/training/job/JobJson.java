package dev.kiln.training.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.training.spec.ModelSpec;
import dev.kiln.training.spec.ModelSpecReader;
import dev.kiln.training.spec.TrainingSettings;
import java.io.IOException;
import java.util.Set;

/**
 * The training API's JSON: snake_case like model specs, ISO-8601 times, nulls left out. One mapper for the REST adapter
 * and the CLI, so both sides agree on every field name.
 */
public final class JobJson {
  public static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .addModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .serializationInclusion(JsonInclude.Include.NON_NULL)
          .build();

  private static final Set<String> REQUEST_FIELDS =
      Set.of("dataset", "dataset_version", "model", "training", "preparation", "importance_repeats");

  private JobJson() {}

  /**
   * Reads a job request: {@code {"dataset": "digits", "model": {...} or "<YAML text>", "training": {"epochs": 10, ...},
   * "preparation": {"scaling": "minmax"}}}.
   */
  public static JobRequest readRequest(byte[] body) {
    JsonNode root;
    try {
      root = MAPPER.readTree(body);
    } catch (IOException e) {
      throw new KilnException(ErrorKind.INVALID_ARGUMENT, "the job request is not valid JSON");
    }
    if (root == null || !root.isObject()) {
      throw new KilnException(ErrorKind.INVALID_ARGUMENT, "the job request must be a JSON object");
    }
    root.fieldNames()
        .forEachRemaining(f -> {
          if (!REQUEST_FIELDS.contains(f)) {
            throw new KilnException(
                ErrorKind.INVALID_ARGUMENT,
                "unknown field '"
                    + f
                    + "' in the job request (known: "
                    + String.join(", ", REQUEST_FIELDS.stream().sorted().toList())
                    + ")");
          }
        });
    JsonNode dataset = root.get("dataset");
    if (dataset == null || !dataset.isTextual()) {
      throw new KilnException(ErrorKind.INVALID_ARGUMENT, "'dataset' (a dataset name) is required");
    }
    JsonNode version = root.get("dataset_version");
    if (version != null && !version.isNull() && !version.canConvertToExactIntegral()) {
      throw new KilnException(ErrorKind.INVALID_ARGUMENT, "'dataset_version' must be an integer");
    }
    JsonNode model = root.get("model");
    if (model == null || !(model.isObject() || model.isTextual())) {
      throw new KilnException(ErrorKind.INVALID_ARGUMENT, "'model' (a spec object, or spec YAML text) is required");
    }
    ModelSpec spec;
    try {
      spec =
          model.isTextual()
              ? ModelSpecReader.read(model.asText())
              : ModelSpecReader.read(model.toString(), ModelSpecReader.Format.JSON);
    } catch (KilnException e) {
      throw e.path().isPresent() ? e.within("model") : e;
    }
    TrainingSettings training = null;
    JsonNode t = root.get("training");
    if (t != null && !t.isNull()) {
      // Training overrides follow the spec's own rules (snake_case, strict): read them as a spec's training block.
      training = ModelSpecReader.read("{\"training\":" + t + "}", ModelSpecReader.Format.JSON).training();
    }
    JsonNode prep = root.get("preparation");
    Preparation.read(prep);
    JsonNode repeats = root.get("importance_repeats");
    boolean noRepeats = repeats == null || repeats.isNull();
    if (!noRepeats
        && !(repeats.canConvertToExactIntegral()
            && repeats.asLong() >= 1
            && repeats.asLong() <= JobRequest.MAX_IMPORTANCE_REPEATS)) {
      throw new KilnException(
          ErrorKind.INVALID_ARGUMENT,
          "'importance_repeats' must be an integer from 1 to " + JobRequest.MAX_IMPORTANCE_REPEATS);
    }
    return new JobRequest(
        dataset.asText(),
        version == null || version.isNull() ? null : version.asInt(),
        spec,
        training,
        prep == null || prep.isNull() ? null : prep,
        noRepeats ? null : repeats.asInt());
  }

  public static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new KilnException(ErrorKind.INTERNAL, "cannot write JSON", e);
    }
  }
}
