package dev.kiln.protocol.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class GrpcErrorsTest {
  /** The documented table (ErrorKind's javadoc); a kind without a row here fails its case below. */
  private static final Map<ErrorKind, Status.Code> CODE =
      Map.ofEntries(
          Map.entry(ErrorKind.INVALID_ARGUMENT, Status.Code.INVALID_ARGUMENT),
          Map.entry(ErrorKind.NOT_FOUND, Status.Code.NOT_FOUND),
          Map.entry(ErrorKind.UNAVAILABLE, Status.Code.UNAVAILABLE),
          Map.entry(ErrorKind.RESOURCE_EXHAUSTED, Status.Code.UNAVAILABLE),
          Map.entry(ErrorKind.TOO_LARGE, Status.Code.RESOURCE_EXHAUSTED),
          Map.entry(ErrorKind.DEADLINE_EXCEEDED, Status.Code.DEADLINE_EXCEEDED),
          Map.entry(ErrorKind.UNSUPPORTED, Status.Code.UNIMPLEMENTED),
          Map.entry(ErrorKind.FAILED_PRECONDITION, Status.Code.FAILED_PRECONDITION),
          Map.entry(ErrorKind.CONFLICT, Status.Code.FAILED_PRECONDITION),
          Map.entry(ErrorKind.UNAUTHENTICATED, Status.Code.UNAUTHENTICATED),
          Map.entry(ErrorKind.PERMISSION_DENIED, Status.Code.PERMISSION_DENIED),
          Map.entry(ErrorKind.RATE_LIMITED, Status.Code.RESOURCE_EXHAUSTED),
          Map.entry(ErrorKind.INTERNAL, Status.Code.INTERNAL));

  @ParameterizedTest
  @EnumSource(ErrorKind.class)
  void everyErrorKindHasItsStatusCodeAndKeepsItsMessage(ErrorKind kind) {
    assertThat(CODE).as("the test's table lists " + kind).containsKey(kind);
    assertThat(GrpcErrors.code(kind)).isEqualTo(CODE.get(kind));
    Status s = GrpcErrors.status(new KilnException(kind, "what happened"));
    assertThat(s.getCode()).isEqualTo(CODE.get(kind));
    assertThat(s.getDescription()).isEqualTo("what happened");
  }

  @Test
  void wrappedFailuresAreUnwrapped() {
    Status s = GrpcErrors.status(new CompletionException(KilnException.notFound("unknown model 'x'")));
    assertThat(s.getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(s.getDescription()).isEqualTo("unknown model 'x'");
  }

  @Test
  void foreignExceptionsBecomeInternalWithoutLeakingDetails() {
    Status s =
        GrpcErrors.status(
            new CompletionException(new IllegalStateException("/srv/models/secret/1/model.onnx: java.io.IOException")));
    assertThat(s.getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(s.getDescription()).isEqualTo("internal error");
    assertThat(GrpcErrors.message(new NullPointerException("x.y.Z"))).isEqualTo("internal error");
  }

  @Test
  void aRetryAfterTravelsAsATrailerInWholeSeconds() {
    StatusRuntimeException e =
        GrpcErrors.exception(new CompletionException(KilnException.rateLimited("slow down", Duration.ofMillis(2_500))));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(e.getTrailers().get(GrpcErrors.RETRY_AFTER)).isEqualTo("3");
    assertThat(GrpcErrors.exception(KilnException.unavailable("loading")).getTrailers().get(GrpcErrors.RETRY_AFTER))
        .isNull();
  }
}
