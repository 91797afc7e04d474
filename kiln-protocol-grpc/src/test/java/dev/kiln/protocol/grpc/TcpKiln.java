package dev.kiln.protocol.grpc;

import dev.kiln.core.serving.InferenceCore;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A core over the example models behind the production Netty listener on a free port, with a client channel over TCP:
 * every message is wire-encoded both ways, as real clients see it (the in-process transport passes message objects and
 * would hide framing, size limits and encoding faults).
 */
record TcpKiln(InferenceCore core, GrpcServer server, ManagedChannel channel) implements AutoCloseable {
  static TcpKiln start(Path root) {
    InferenceCore core = TestCore.start(root);
    GrpcServer server = GrpcServer.start(core, GrpcSettings.of("127.0.0.1", 0));
    return new TcpKiln(
        core,
        server,
        ManagedChannelBuilder.forAddress("127.0.0.1", server.port())
            .usePlaintext()
            .maxInboundMessageSize(GrpcSettings.DEFAULT_MAX_INBOUND_MESSAGE_BYTES)
            .build());
  }

  @Override
  public void close() {
    channel.shutdownNow();
    server.stop(Duration.ofSeconds(5));
    core.close();
  }
}
