package dev.kiln.protocol.rest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpErrorsTest {
  @Test
  void everyErrorKindHasTritonsStatus() {
    Map<ErrorKind, Integer> expected = Map.of(
        ErrorKind.CONFLICT, 409,
        ErrorKind.INVALID_ARGUMENT, 400,
        ErrorKind.NOT_FOUND, 404,
        ErrorKind.UNAVAILABLE, 503,
        ErrorKind.RESOURCE_EXHAUSTED, 503,
        ErrorKind.DEADLINE_EXCEEDED, 504,
        ErrorKind.UNSUPPORTED, 501,
        ErrorKind.FAILED_PRECONDITION, 400,
        ErrorKind.INTERNAL, 500);
    assertThat(expected).hasSize(ErrorKind.values().length);
    expected.forEach((kind, status) -> assertThat(HttpErrors.status(kind).code()).as(kind.name()).isEqualTo(status));
  }

  @Test
  void internalFailuresAnswerAGenericMessage() {
    RestResponse r = HttpErrors.response(new IllegalStateException("/secret/path in com.example.Thing"));
    assertThat(r.status().code()).isEqualTo(500);
    assertThat(r.body().toString(StandardCharsets.UTF_8)).isEqualTo("{\"error\":\"internal error\"}");
  }

  @Test
  void callerErrorsKeepTheirMessageInTheErrorShape() {
    RestResponse r = HttpErrors.response(KilnException.invalid("input 'a': shape [1, 3] (expected: [*, 4])"));
    assertThat(r.body().toString(StandardCharsets.UTF_8))
        .isEqualTo("{\"error\":\"input 'a': shape [1, 3] (expected: [*, 4])\"}");
  }
}
