package dev.kiln.protocol.grpc;

import dev.kiln.core.serving.InferenceCore;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.nio.file.Path;
import java.time.Duration;

/** A core over the example models, served through the production wiring on the in-process transport. */
record InProcessKiln(InferenceCore core, GrpcServer server, ManagedChannel channel) implements AutoCloseable {
  static InProcessKiln start(Path root) {
    InferenceCore core = TestCore.start(root);
    String name = InProcessServerBuilder.generateName();
    GrpcServer server = GrpcServer.start(InProcessServerBuilder.forName(name), core,
        GrpcSettings.DEFAULT_MAX_INBOUND_MESSAGE_BYTES);
    return new InProcessKiln(core, server, InProcessChannelBuilder.forName(name).build());
  }

  @Override
  public void close() {
    channel.shutdownNow();
    server.stop(Duration.ofSeconds(5));
    core.close();
  }
}
