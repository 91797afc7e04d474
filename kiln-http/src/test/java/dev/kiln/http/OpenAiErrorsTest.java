package dev.kiln.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class OpenAiErrorsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The documented table, type and code ("" for a JSON null); a kind without a row here fails its case below. */
  private static final Map<ErrorKind, String[]> TABLE =
      Map.ofEntries(
          Map.entry(ErrorKind.INVALID_ARGUMENT, new String[] {"invalid_request_error", ""}),
          Map.entry(ErrorKind.NOT_FOUND, new String[] {"invalid_request_error", "model_not_found"}),
          Map.entry(ErrorKind.UNAVAILABLE, new String[] {"server_error", ""}),
          Map.entry(ErrorKind.RESOURCE_EXHAUSTED, new String[] {"server_error", ""}),
          Map.entry(ErrorKind.TOO_LARGE, new String[] {"invalid_request_error", ""}),
          Map.entry(ErrorKind.DEADLINE_EXCEEDED, new String[] {"server_error", ""}),
          Map.entry(ErrorKind.UNSUPPORTED, new String[] {"server_error", ""}),
          Map.entry(ErrorKind.FAILED_PRECONDITION, new String[] {"invalid_request_error", ""}),
          Map.entry(ErrorKind.CONFLICT, new String[] {"invalid_request_error", ""}),
          Map.entry(ErrorKind.UNAUTHENTICATED, new String[] {"authentication_error", "invalid_api_key"}),
          Map.entry(ErrorKind.PERMISSION_DENIED, new String[] {"permission_error", ""}),
          Map.entry(ErrorKind.RATE_LIMITED, new String[] {"rate_limit_error", "rate_limit_exceeded"}),
          Map.entry(ErrorKind.INTERNAL, new String[] {"server_error", ""}));

  @ParameterizedTest
  @EnumSource(ErrorKind.class)
  void everyErrorKindHasItsOpenAiTypeAndCode(ErrorKind kind) throws Exception {
    assertThat(TABLE).as("the test's table lists " + kind).containsKey(kind);
    String[] row = TABLE.get(kind);
    OpenAiErrors.Entry e = OpenAiErrors.of(kind);
    assertThat(e.type()).isEqualTo(row[0]);
    assertThat(e.code().orElse("")).isEqualTo(row[1]);

    JsonNode body = body(ErrorStyle.OPENAI.response(new KilnException(kind, "what happened")));
    assertThat(body.at("/error/type").asText()).isEqualTo(row[0]);
    assertThat(body.at("/error/code").isNull()).isEqualTo(row[1].isEmpty());
    if (!row[1].isEmpty()) {
      assertThat(body.at("/error/code").asText()).isEqualTo(row[1]);
    }
    assertThat(body.at("/error/param").isNull()).isTrue();
    assertThat(body.at("/error/message").asText()).isEqualTo("what happened");
  }

  @Test
  void errorsOfHttpItselfAreInvalidRequests() throws Exception {
    for (HttpResponseStatus s :
        new HttpResponseStatus[] {HttpResponseStatus.NOT_FOUND, HttpResponseStatus.METHOD_NOT_ALLOWED}) {
      RestResponse r = ErrorStyle.OPENAI.response(s, "no route for GET /v1/nope");
      assertThat(r.status()).isEqualTo(s);
      assertThat(body(r).at("/error/type").asText()).isEqualTo("invalid_request_error");
      assertThat(body(r).at("/error/code").isNull()).isTrue();
    }
  }

  @Test
  void aStreamsErrorEventHidesInternalFailures() {
    assertThat(ErrorStyle.openAiEnvelope(new IllegalStateException("/srv/models/x.gguf")).toString())
        .isEqualTo(
            "{\"error\":{\"message\":\"internal error\",\"type\":\"server_error\",\"param\":null," + "\"code\":null}}");
    assertThat(ErrorStyle.openAiEnvelope(KilnException.invalid("prompt too long")).at("/error/message").asText())
        .isEqualTo("prompt too long");
  }

  private static JsonNode body(RestResponse r) throws Exception {
    return JSON.readTree(r.body().toString(StandardCharsets.UTF_8));
  }
}
