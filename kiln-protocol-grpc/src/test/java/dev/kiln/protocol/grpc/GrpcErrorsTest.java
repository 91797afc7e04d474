package dev.kiln.protocol.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import io.grpc.Status;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class GrpcErrorsTest {
  @Test
  void everyErrorKindHasItsStatusCodeAndKeepsItsMessage() {
    Map<ErrorKind, Status.Code> expected = Map.of(
        ErrorKind.INVALID_ARGUMENT, Status.Code.INVALID_ARGUMENT,
        ErrorKind.NOT_FOUND, Status.Code.NOT_FOUND,
        ErrorKind.UNAVAILABLE, Status.Code.UNAVAILABLE,
        ErrorKind.RESOURCE_EXHAUSTED, Status.Code.UNAVAILABLE,
        ErrorKind.DEADLINE_EXCEEDED, Status.Code.DEADLINE_EXCEEDED,
        ErrorKind.UNSUPPORTED, Status.Code.UNIMPLEMENTED,
        ErrorKind.FAILED_PRECONDITION, Status.Code.FAILED_PRECONDITION,
        ErrorKind.CONFLICT, Status.Code.FAILED_PRECONDITION,
        ErrorKind.INTERNAL, Status.Code.INTERNAL);
    assertThat(expected).hasSize(ErrorKind.values().length);
    expected.forEach((kind, code) -> {
      Status s = GrpcErrors.status(new KilnException(kind, "what happened"));
      assertThat(s.getCode()).isEqualTo(code);
      assertThat(s.getDescription()).isEqualTo("what happened");
    });
  }

  @Test
  void wrappedFailuresAreUnwrapped() {
    Status s = GrpcErrors.status(new CompletionException(KilnException.notFound("unknown model 'x'")));
    assertThat(s.getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(s.getDescription()).isEqualTo("unknown model 'x'");
  }

  @Test
  void foreignExceptionsBecomeInternalWithoutLeakingDetails() {
    Status s = GrpcErrors.status(new CompletionException(
        new IllegalStateException("/srv/models/secret/1/model.onnx: java.io.IOException")));
    assertThat(s.getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(s.getDescription()).isEqualTo("internal error");
    assertThat(GrpcErrors.message(new NullPointerException("x.y.Z"))).isEqualTo("internal error");
  }
}
