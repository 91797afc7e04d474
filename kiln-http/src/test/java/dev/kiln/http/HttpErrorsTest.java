package dev.kiln.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HttpErrorsTest {
  /** The documented table (ErrorKind's javadoc); a kind without a row here fails its case below. */
  private static final Map<ErrorKind, Integer> STATUS =
      Map.ofEntries(
          Map.entry(ErrorKind.INVALID_ARGUMENT, 400),
          Map.entry(ErrorKind.NOT_FOUND, 404),
          Map.entry(ErrorKind.UNAVAILABLE, 503),
          Map.entry(ErrorKind.RESOURCE_EXHAUSTED, 503),
          Map.entry(ErrorKind.TOO_LARGE, 413),
          Map.entry(ErrorKind.DEADLINE_EXCEEDED, 504),
          Map.entry(ErrorKind.UNSUPPORTED, 501),
          Map.entry(ErrorKind.FAILED_PRECONDITION, 400),
          Map.entry(ErrorKind.CONFLICT, 409),
          Map.entry(ErrorKind.UNAUTHENTICATED, 401),
          Map.entry(ErrorKind.PERMISSION_DENIED, 403),
          Map.entry(ErrorKind.RATE_LIMITED, 429),
          Map.entry(ErrorKind.INTERNAL, 500));

  @ParameterizedTest
  @EnumSource(ErrorKind.class)
  void everyErrorKindHasTritonsStatus(ErrorKind kind) {
    assertThat(STATUS).as("the test's table lists " + kind).containsKey(kind);
    assertThat(HttpErrors.status(kind).code()).as(kind.name()).isEqualTo(STATUS.get(kind));
  }

  @ParameterizedTest
  @EnumSource(ErrorKind.class)
  void everyStyleAnswersTheTablesStatus(ErrorKind kind) {
    KilnException k = new KilnException(kind, "what happened");
    for (ErrorStyle style : ErrorStyle.values()) {
      assertThat(style.response(k).status().code()).as(style + " " + kind).isEqualTo(STATUS.get(kind));
    }
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

  @Test
  void anErrorThatKnowsWhereInTheRequestItIsSaysSoBesideTheMessage() {
    KilnException inner =
        new KilnException(ErrorKind.INVALID_ARGUMENT, "layer 3 (dense): units must be >= 1", null, "units");
    KilnException e = inner.within("layers[2]").within("model");

    assertThat(e.path()).contains("model.layers[2].units");
    assertThat(HttpErrors.response(e).body().toString(StandardCharsets.UTF_8))
        .isEqualTo("{\"error\":\"layer 3 (dense): units must be >= 1\",\"path\":\"model.layers[2].units\"}");
    assertThat(ErrorStyle.OPENAI.response(e).body().toString(StandardCharsets.UTF_8))
        .contains("\"param\":\"model.layers[2].units\"");
    assertThat(KilnException.invalid("no path").within("model").path()).contains("model");
  }

  @Test
  void retryAfterGoesOnTooManyRequestsAndServiceUnavailableOnly() {
    assertThat(HttpErrors.response(KilnException.rateLimited("slow down", Duration.ofMillis(2_500))).headers())
        .containsEntry("retry-after", "3");
    assertThat(
            HttpErrors.response(KilnException.retryable(ErrorKind.UNAVAILABLE, "busy", Duration.ofSeconds(7)))
                .headers())
        .containsEntry("retry-after", "7");
    assertThat(
            HttpErrors.response(KilnException.retryable(ErrorKind.CONFLICT, "later", Duration.ofSeconds(7))).headers())
        .doesNotContainKey("retry-after");
    assertThat(HttpErrors.response(KilnException.unavailable("busy")).headers()).doesNotContainKey("retry-after");
  }

  @Test
  void unauthenticatedCarriesTheBearerChallengeInEveryStyle() {
    for (ErrorStyle style : ErrorStyle.values()) {
      assertThat(style.response(KilnException.unauthenticated("an API key is required")).headers())
          .containsEntry("www-authenticate", "Bearer realm=\"kiln\"");
    }
    assertThat(HttpErrors.response(KilnException.denied("no")).headers()).doesNotContainKey("www-authenticate");
  }
}
