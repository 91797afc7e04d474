package dev.kiln.scoring;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.UncheckedIOException;

/** A scoring job as the JSON body of its row: the storage format, kept apart from the API's style. */
final class ScoringJson {
  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  private ScoringJson() {}

  static String write(ScoringJob job) {
    try {
      return MAPPER.writeValueAsString(job);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("cannot write scoring job " + job.id(), e);
    }
  }

  static ScoringJob read(String json) {
    try {
      return MAPPER.readValue(json, ScoringJob.class);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("cannot read a stored scoring job", e);
    }
  }
}
