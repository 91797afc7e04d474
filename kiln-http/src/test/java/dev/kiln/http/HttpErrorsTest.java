package dev.kiln.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpErrorsTest {
  @Test
  void everyErrorKindHasTritonsStatus() {
    Map<ErrorKind, Integer> expected = Map.ofEntries(
        Map.entry(ErrorKind.CONFLICT, 409),
        Map.entry(ErrorKind.UNAUTHENTICATED, 401),
        Map.entry(ErrorKind.PERMISSION_DENIED, 403),
        Map.entry(ErrorKind.RATE_LIMITED, 429),
        Map.entry(ErrorKind.INVALID_ARGUMENT, 400),
        Map.entry(ErrorKind.NOT_FOUND, 404),
        Map.entry(ErrorKind.UNAVAILABLE, 503),
        Map.entry(ErrorKind.RESOURCE_EXHAUSTED, 503),
        Map.entry(ErrorKind.DEADLINE_EXCEEDED, 504),
        Map.entry(ErrorKind.UNSUPPORTED, 501),
        Map.entry(ErrorKind.FAILED_PRECONDITION, 400),
        Map.entry(ErrorKind.INTERNAL, 500));
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
