package dev.kiln.bench;

import dev.kiln.core.engine.EngineOptions;
import dev.kiln.core.engine.ModelArtifact;
import dev.kiln.core.engine.ModelInstance;
import dev.kiln.core.serving.Statistics;
import dev.kiln.engine.onnx.OnnxEngine;
import dev.kiln.protocol.grpc.GrpcServer;
import dev.kiln.protocol.grpc.GrpcSettings;
import dev.kiln.server.Kiln;
import dev.kiln.server.KilnConfig;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything one run measures against: a Kiln server started in this JVM over a repository of the workload's
 * model (batched and unbatched copies), and the same model file loaded straight into ONNX Runtime with the
 * server's engine options for the in-process ceiling.
 */
final class BenchRun implements AutoCloseable {
  private static final String HOST = "127.0.0.1";

  private final Workload workload;
  private final ModelInstance inProcess;
  private final Kiln kiln;
  private GrpcServer directGrpc; // started on first use by a grpc-direct cell

  private BenchRun(Workload workload, ModelInstance inProcess, Kiln kiln) {
    this.workload = workload;
    this.inProcess = inProcess;
    this.kiln = kiln;
  }

  /**
   * Writes the repository under {@code root} and starts the server on free ports.
   *
   * @param queueDelaysMicros one batched model is served per delay
   */
  static BenchRun start(Workload workload, Path root, int maxBatchSize, long[] queueDelaysMicros)
      throws Exception {
    return start(workload, root, maxBatchSize, queueDelaysMicros, 0);
  }

  /**
   * @param httpIoThreads Netty event loops of the HTTP listener; 0 keeps Kiln's default
   */
  static BenchRun start(Workload workload, Path root, int maxBatchSize, long[] queueDelaysMicros,
      int httpIoThreads) throws Exception {
    workload.writeRepository(root, maxBatchSize, queueDelaysMicros);
    Path file = root.resolve(Workload.UNBATCHED_MODEL).resolve("1").resolve("model.onnx");
    ModelInstance inProcess = new OnnxEngine().load(
        new ModelArtifact(Workload.UNBATCHED_MODEL, 1, file, EngineOptions.defaults()));
    try {
      KilnConfig config = KilnConfig.defaults(root, 0, 0);
      if (httpIoThreads > 0) {
        config = config.withHttp(config.http().withIoThreads(httpIoThreads));
      }
      return new BenchRun(workload, inProcess, Kiln.start(config));
    } catch (Exception | Error e) {
      inProcess.close();
      throw e;
    }
  }

  /** Runs one cell with the given loop (its warm-up and window lengths). */
  CellResult run(Cell cell, ClosedLoop loop) throws Exception {
    if (!cell.mode().viaServer()) {
      boolean directInputs = cell.mode() == Mode.IN_PROCESS;
      try (Caller.Source source = InProcessCaller.source(inProcess, workload, directInputs)) {
        return new CellResult(loop.run(cell, source), CellResult.ServerSide.NONE);
      }
    }
    Statistics before = statistics(cell.model());
    ClosedLoop.Measured measured;
    try (Caller.Source source = source(cell)) {
      measured = loop.run(cell, source);
    }
    return new CellResult(measured, CellResult.ServerSide.between(before, statistics(cell.model())));
  }

  private Caller.Source source(Cell cell) {
    return switch (cell.mode()) {
      case REST_JSON -> RestCaller.source(HOST, kiln.httpPort(), cell.model(), workload, false);
      case REST_BINARY -> RestCaller.source(HOST, kiln.httpPort(), cell.model(), workload, true);
      case GRPC -> GrpcCaller.source(HOST, kiln.grpcPort(), cell.model(), workload);
      case GRPC_DIRECT -> GrpcCaller.source(HOST, directGrpc().port(), cell.model(), workload);
      case IN_PROCESS, IN_PROCESS_HEAP -> throw new IllegalArgumentException("in-process cells use no server");
    };
  }

  /**
   * A second gRPC listener over the same core whose calls run on the transport's event loop instead of being
   * handed to grpc-java's default executor. Fine for ModelInfer, which never blocks; the load and unload calls
   * do block, so a real server would keep those on an executor.
   */
  private GrpcServer directGrpc() {
    if (directGrpc == null) {
      directGrpc = GrpcServer.start(NettyServerBuilder.forAddress(new InetSocketAddress(HOST, 0)).directExecutor(),
          kiln.core(), GrpcSettings.of(HOST, 0).maxInboundMessageBytes());
    }
    return directGrpc;
  }

  private Statistics statistics(String model) {
    return kiln.core().statistics(model, null).get(0);
  }

  @Override
  public void close() {
    if (directGrpc != null) {
      directGrpc.stop(Duration.ofSeconds(5));
    }
    kiln.close();
    inProcess.close();
  }
}
