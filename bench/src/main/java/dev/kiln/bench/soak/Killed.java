package dev.kiln.bench.soak;

import com.google.common.util.concurrent.ListenableFuture;
import dev.kiln.protocol.grpc.proto.GRPCInferenceServiceGrpc;
import dev.kiln.protocol.grpc.proto.ModelInferResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Clients that die mid-request, in the ways a crashed or impatient caller does: a REST client that sends half its body,
 * or all of it, then closes (FIN) or resets (RST) the connection before the answer; a gRPC client that cancels its call
 * a moment after starting it (RST_STREAM). The server owes them nothing but must not leak.
 */
final class Killed {
  enum Way {
    HALF_BODY_CLOSE,
    HALF_BODY_RESET,
    FULL_THEN_RESET,
    FULL_THEN_CLOSE
  }

  private Killed() {}

  static Way rest(int port, InferRequests r) throws IOException {
    Way way = Way.values()[ThreadLocalRandom.current().nextInt(Way.values().length)];
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      OutputStream out = s.getOutputStream();
      out.write(r.rawJsonHead(port));
      boolean half = way == Way.HALF_BODY_CLOSE || way == Way.HALF_BODY_RESET;
      out.write(r.json(), 0, half ? r.json().length / 2 : r.json().length);
      out.flush();
      if (way == Way.HALF_BODY_RESET || way == Way.FULL_THEN_RESET) {
        s.setSoLinger(true, 0); // close() now sends RST instead of FIN
      }
    }
    return way;
  }

  /** Starts a call and cancels it after 0–2 ms; a call that finished first counts all the same. */
  static void grpc(GRPCInferenceServiceGrpc.GRPCInferenceServiceFutureStub stub, InferRequests r)
      throws InterruptedException {
    ListenableFuture<ModelInferResponse> call = stub.modelInfer(r.grpc());
    long micros = ThreadLocalRandom.current().nextLong(2_000);
    Thread.sleep(micros / 1000, (int) (micros % 1000) * 1000);
    call.cancel(true);
  }
}
