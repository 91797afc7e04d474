package dev.kiln.protocol.grpc;

import dev.kiln.core.error.KilnException;
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
 * One {@code ModelStreamInfer} call. Requests run concurrently in the core, but their responses are sent in request
 * order: each delivery is chained after the previous one, which also keeps calls on the response observer (not
 * thread-safe) strictly one at a time.
 *
 * <p>A failed request becomes a response with {@code error_message} (and the request's id, so clients can match it) and
 * the stream goes on; with {@link StreamErrorHeader} the first failure closes the stream with its status instead.
 *
 * <p>When the server drains, {@link #end()} lets the requests already received finish and be answered, then ends the
 * call with UNAVAILABLE {@code "server is shutting down"}; requests arriving after that are not run, and the status
 * tells the client to resend them elsewhere.
 */
final class InferStream implements StreamObserver<ModelInferRequest> {
  private static final Logger LOG = Logger.getLogger(InferStream.class.getName());

  private final Function<ModelInferRequest, CompletableFuture<ModelInferResponse>> infer;
  private final ServerCallStreamObserver<ModelStreamInferResponse> out;
  private final boolean closeOnError;
  private final OpenStreams streams;
  // Replaced from gRPC's listener callbacks and from end(), hence synchronized.
  private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
  private volatile boolean finished;
  private boolean ending;

  InferStream(
      Function<ModelInferRequest, CompletableFuture<ModelInferResponse>> infer,
      ServerCallStreamObserver<ModelStreamInferResponse> out,
      boolean closeOnError,
      OpenStreams streams) {
    this.infer = infer;
    this.out = out;
    this.closeOnError = closeOnError;
    this.streams = streams;
    out.setOnCancelHandler(() -> {
      finished = true;
      streams.remove(this);
    });
    if (!streams.add(this)) {
      finished = true;
      out.onError(GrpcErrors.exception(KilnException.unavailable("server is shutting down")));
    }
  }

  @Override
  public synchronized void onNext(ModelInferRequest request) {
    if (finished || ending) {
      return;
    }
    CompletableFuture<ModelInferResponse> result;
    try {
      result = infer.apply(request);
    } catch (RuntimeException e) {
      result = CompletableFuture.failedFuture(e);
    }
    CompletableFuture<Outcome> outcome = result.handle(Outcome::new);
    tail = tail.thenCombine(outcome, (previous, o) -> o).thenAccept(o -> deliver(request, o)).exceptionally(e -> null);
  }

  @Override
  public void onError(Throwable t) {
    // The client cancelled or the transport failed: nothing more can be sent.
    finished = true;
    streams.remove(this);
  }

  @Override
  public synchronized void onCompleted() {
    ending = true;
    finishAfterTail(() -> out.onCompleted());
  }

  /** Answers what was received, then ends the call with UNAVAILABLE; later requests are not run. */
  synchronized void end() {
    if (ending) {
      return; // the client already half-closed: the call ends with OK once its responses are out
    }
    ending = true;
    finishAfterTail(() -> out.onError(GrpcErrors.exception(KilnException.unavailable("server is shutting down"))));
  }

  private void finishAfterTail(Runnable close) {
    tail =
        tail.thenRun(
                () -> {
                  streams.remove(this);
                  if (!finished) {
                    finished = true;
                    close.run();
                  }
                })
            .exceptionally(e -> null);
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
        out.onNext(
            ModelStreamInferResponse.newBuilder()
                .setErrorMessage(GrpcErrors.message(o.error()))
                .setInferResponse(
                    ModelInferResponse.newBuilder()
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
