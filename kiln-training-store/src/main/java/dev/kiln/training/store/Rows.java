package dev.kiln.training.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.kiln.training.job.JobJson;
import java.io.UncheckedIOException;

/** Records to and from the JSON body of their row, as the file stores write them ({@link JobJson#MAPPER}). */
final class Rows {
  private Rows() {}

  static String json(Object value) {
    try {
      return JobJson.MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("cannot write a " + value.getClass().getSimpleName() + " as JSON", e);
    }
  }

  static <T> T read(String json, Class<T> type) {
    try {
      return JobJson.MAPPER.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("cannot read a stored " + type.getSimpleName(), e);
    }
  }
}
