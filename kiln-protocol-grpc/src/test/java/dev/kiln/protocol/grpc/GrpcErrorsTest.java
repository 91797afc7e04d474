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
    Map<ErrorKind, Status.Code> expected = Map.ofEntries(
        Map.entry(ErrorKind.INVALID_ARGUMENT, Status.Code.INVALID_ARGUMENT),
        Map.entry(ErrorKind.NOT_FOUND, Status.Code.NOT_FOUND),
        Map.entry(ErrorKind.UNAVAILABLE, Status.Code.UNAVAILABLE),
        Map.entry(ErrorKind.RESOURCE_EXHAUSTED, Status.Code.UNAVAILABLE),
        Map.entry(ErrorKind.DEADLINE_EXCEEDED, Status.Code.DEADLINE_EXCEEDED),
        Map.entry(ErrorKind.UNSUPPORTED, Status.Code.UNIMPLEMENTED),
        Map.entry(ErrorKind.FAILED_PRECONDITION, Status.Code.FAILED_PRECONDITION),
        Map.entry(ErrorKind.CONFLICT, Status.Code.FAILED_PRECONDITION),
        Map.entry(ErrorKind.UNAUTHENTICATED, Status.Code.UNAUTHENTICATED),
        Map.entry(ErrorKind.PERMISSION_DENIED, Status.Code.PERMISSION_DENIED),
        Map.entry(ErrorKind.RATE_LIMITED, Status.Code.RESOURCE_EXHAUSTED),
        Map.entry(ErrorKind.INTERNAL, Status.Code.INTERNAL));
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
