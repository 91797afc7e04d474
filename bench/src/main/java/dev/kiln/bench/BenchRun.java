package dev.kiln.bench;

import dev.kiln.core.engine.EngineOptions;
import dev.kiln.core.engine.ModelArtifact;
import dev.kiln.core.engine.ModelInstance;
import dev.kiln.core.serving.Statistics;
import dev.kiln.core.serving.Target;
import dev.kiln.engine.onnx.OnnxEngine;
import dev.kiln.govern.auth.ApiKeys;
import dev.kiln.govern.auth.Limits;
import dev.kiln.govern.auth.Scope;
import dev.kiln.govern.crypto.MasterKeys;
import dev.kiln.protocol.grpc.GrpcServer;
import dev.kiln.protocol.grpc.GrpcSettings;
import dev.kiln.server.GovernanceConfig;
import dev.kiln.server.Kiln;
import dev.kiln.server.KilnConfig;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything one run measures against: a Kiln server started in this JVM over a repository of the workload's model
 * (batched and unbatched copies), and the same model file loaded straight into ONNX Runtime with the server's engine
 * options for the in-process ceiling. The governed modes use a second server over the same repository with governance
 * and API keys on, so both servers hold the same models the same way.
 */
final class BenchRun implements AutoCloseable {
  private static final String HOST = "127.0.0.1";

  /** Limits far above what any run can send, so the limiter counts every request but never refuses one. */
  private static final long NEVER_REACHED = 1_000_000_000L;

  /** The second server and the keys its callers send. */
  private record Governed(Kiln kiln, String unlimitedKey, String limitedKey) {}

  private final Workload workload;
  private final ModelInstance inProcess;
  private final Kiln kiln;
  private final KilnConfig config;
  private GrpcServer directGrpc; // started on first use by a grpc-direct cell
  private Governed governed; // started on first use by a governed cell, or by startGoverned()

  private BenchRun(Workload workload, ModelInstance inProcess, Kiln kiln, KilnConfig config) {
    this.workload = workload;
    this.inProcess = inProcess;
    this.kiln = kiln;
    this.config = config;
  }

  /**
   * Writes the repository under {@code root} and starts the server on free ports.
   *
   * @param queueDelaysMicros one batched model is served per delay
   */
  static BenchRun start(Workload workload, Path root, int maxBatchSize, long[] queueDelaysMicros) throws Exception {
    return start(workload, root, maxBatchSize, queueDelaysMicros, 0);
  }

  /**
   * @param httpIoThreads Netty event loops of the HTTP listener; 0 keeps Kiln's default
   */
  static BenchRun start(Workload workload, Path root, int maxBatchSize, long[] queueDelaysMicros, int httpIoThreads)
      throws Exception {
    workload.writeRepository(root, maxBatchSize, queueDelaysMicros);
    Path file = root.resolve(Workload.UNBATCHED_MODEL).resolve("1").resolve("model.onnx");
    ModelInstance inProcess =
        new OnnxEngine().load(new ModelArtifact(Workload.UNBATCHED_MODEL, 1, file, EngineOptions.defaults()));
    try {
      KilnConfig config = KilnConfig.defaults(root, 0, 0);
      if (httpIoThreads > 0) {
        config = config.withHttp(config.http().withIoThreads(httpIoThreads));
      }
      return new BenchRun(workload, inProcess, Kiln.start(config), config);
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
    Kiln server = cell.mode().governed() ? governed().kiln() : kiln;
    Statistics before = statistics(server, cell.model());
    ClosedLoop.Measured measured;
    try (Caller.Source source = source(cell)) {
      measured = loop.run(cell, source);
    }
    return new CellResult(measured, CellResult.ServerSide.between(before, statistics(server, cell.model())));
  }

  private Caller.Source source(Cell cell) throws Exception {
    return switch (cell.mode()) {
      case REST_JSON -> RestCaller.source(HOST, kiln.httpPort(), cell.model(), workload, false);
      case REST_BINARY -> RestCaller.source(HOST, kiln.httpPort(), cell.model(), workload, true);
      case REST_JSON_AUTH -> governedRest(cell, false, governed().unlimitedKey());
      case REST_BINARY_AUTH -> governedRest(cell, true, governed().unlimitedKey());
      case REST_BINARY_AUTH_LIMITED -> governedRest(cell, true, governed().limitedKey());
      case GRPC -> GrpcCaller.source(HOST, kiln.grpcPort(), cell.model(), workload);
      case GRPC_DIRECT -> GrpcCaller.source(HOST, directGrpc().port(), cell.model(), workload);
      case IN_PROCESS, IN_PROCESS_HEAP -> throw new IllegalArgumentException("in-process cells use no server");
    };
  }

  private Caller.Source governedRest(Cell cell, boolean binary, String apiKey) throws Exception {
    return RestCaller.source(HOST, governed().kiln().httpPort(), cell.model(), workload, binary, apiKey);
  }

  /**
   * A second gRPC listener over the same core whose calls run on the transport's event loop instead of being handed to
   * grpc-java's default executor. Fine for ModelInfer, which never blocks; the load and unload calls do block, so a
   * real server would keep those on an executor.
   */
  private GrpcServer directGrpc() {
    if (directGrpc == null) {
      directGrpc =
          GrpcServer.start(
              NettyServerBuilder.forAddress(new InetSocketAddress(HOST, 0)).directExecutor(),
              kiln.core(),
              GrpcSettings.of(HOST, 0).maxInboundMessageBytes());
    }
    return directGrpc;
  }

  /**
   * Starts the server with governance on (if not yet started): same repository and settings as the first, an SQLite
   * database and a master key in a temporary folder, API keys required, and two keys that may invoke every model: one
   * without limits and one with limits it never reaches. Called before any cell is measured, so that every cell runs
   * with both servers up (an idle server still has timers and flushes).
   */
  void startGoverned() throws Exception {
    governed();
  }

  private Governed governed() throws Exception {
    if (governed == null) {
      Path data = Files.createTempDirectory("kiln-bench-governance");
      Path masterKey = data.resolve("master.key");
      MasterKeys.generate(masterKey);
      Kiln k =
          Kiln.start(config.withGovernance(GovernanceConfig.defaults(data).withAuth(true).withMasterKey(masterKey)));
      try {
        List<Scope> invoke = List.of(Scope.parse("invoke:*"));
        ApiKeys.Created unlimited =
            k.apiKeys().orElseThrow().create("bench", invoke, Limits.NONE, Map.of(), null, "bench");
        ApiKeys.Created limited =
            k.apiKeys()
                .orElseThrow()
                .create(
                    "bench-limited", invoke, new Limits(NEVER_REACHED, NEVER_REACHED, null), Map.of(), null, "bench");
        governed = new Governed(k, unlimited.token(), limited.token());
      } catch (RuntimeException e) {
        k.close();
        throw e;
      }
    }
    return governed;
  }

  private static Statistics statistics(Kiln server, String model) {
    return server.core().statistics(Target.latest(model)).get(0);
  }

  @Override
  public void close() {
    if (directGrpc != null) {
      directGrpc.stop(Duration.ofSeconds(5));
    }
    if (governed != null) {
      governed.kiln().close();
    }
    kiln.close();
    inProcess.close();
  }
}
