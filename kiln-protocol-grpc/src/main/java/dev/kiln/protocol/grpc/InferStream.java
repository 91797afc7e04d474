package dev.kiln.protocol.grpc;

import dev.kiln.protocol.grpc.proto.ModelInferRequest;
import dev.kiln.protocol.grpc.proto.ModelInferResponse;
import dev.kiln.protocol.grpc.proto.ModelStreamInferResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One {@code ModelStreamInfer} call. Requests run concurrently in the core, but their responses are sent in
 * request order: each delivery is chained after the previous one, which also keeps calls on the response
 * observer (not thread-safe) strictly one at a time.
 *
 * <p>A failed request becomes a response with {@code error_message} (and the request's id, so clients can match
 * it) and the stream goes on; with {@link StreamErrorHeader} the first failure closes the stream with its
 * status instead.
 */
final class InferStream implements StreamObserver<ModelInferRequest> {
  private static final Logger LOG = Logger.getLogger(InferStream.class.getName());

  private final Function<ModelInferRequest, CompletableFuture<ModelInferResponse>> infer;
  private final ServerCallStreamObserver<ModelStreamInferResponse> out;
  private final boolean closeOnError;
  // Only replaced from gRPC's listener callbacks, which gRPC runs one at a time.
  private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
  private volatile boolean finished;

  InferStream(Function<ModelInferRequest, CompletableFuture<ModelInferResponse>> infer,
      ServerCallStreamObserver<ModelStreamInferResponse> out, boolean closeOnError) {
    this.infer = infer;
    this.out = out;
    this.closeOnError = closeOnError;
    out.setOnCancelHandler(() -> finished = true);
  }

  @Override
  public void onNext(ModelInferRequest request) {
    if (finished) {
      return;
    }
    CompletableFuture<ModelInferResponse> result;
    try {
      result = infer.apply(request);
    } catch (RuntimeException e) {
      result = CompletableFuture.failedFuture(e);
    }
    CompletableFuture<Outcome> outcome = result.handle(Outcome::new);
    tail = tail.thenCombine(outcome, (previous, o) -> o)
        .thenAccept(o -> deliver(request, o))
        .exceptionally(e -> null);
  }

  @Override
  public void onError(Throwable t) {
    // The client cancelled or the transport failed: nothing more can be sent.
    finished = true;
  }

  @Override
  public void onCompleted() {
    tail = tail.thenRun(() -> {
      if (!finished) {
        finished = true;
        out.onCompleted();
      }
    }).exceptionally(e -> null);
  }

  private void deliver(ModelInferRequest request, Outcome o) {
    if (finished) {
      return;
    }
    try {
      if (o.error() == null) {
        out.onNext(ModelStreamInferResponse.newBuilder().setInferResponse(o.response()).build());
      } else if (closeOnError) {
        finished = true;
        out.onError(GrpcErrors.exception(o.error()));
      } else {
        out.onNext(ModelStreamInferResponse.newBuilder()
            .setErrorMessage(GrpcErrors.message(o.error()))
            .setInferResponse(ModelInferResponse.newBuilder()
                .setModelName(request.getModelName())
                .setModelVersion(request.getModelVersion())
                .setId(request.getId()))
            .build());
      }
    } catch (RuntimeException e) {
      // The call went away between the check and the send; later deliveries are skipped.
      finished = true;
      LOG.log(Level.FINE, "stream response not delivered", e);
    }
  }

  private record Outcome(ModelInferResponse response, Throwable error) {}
}
