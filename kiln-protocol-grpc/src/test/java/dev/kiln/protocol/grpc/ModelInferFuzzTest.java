package dev.kiln.protocol.grpc;

import static dev.kiln.protocol.grpc.Requests.floats;
import static dev.kiln.protocol.grpc.Requests.input;
import static dev.kiln.protocol.grpc.Requests.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.protobuf.ByteString;
import dev.kiln.protocol.grpc.proto.GRPCInferenceServiceGrpc;
import dev.kiln.protocol.grpc.proto.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import dev.kiln.protocol.grpc.proto.InferParameter;
import dev.kiln.protocol.grpc.proto.InferTensorContents;
import dev.kiln.protocol.grpc.proto.ModelInferRequest;
import dev.kiln.protocol.grpc.proto.ModelInferRequest.InferInputTensor;
import dev.kiln.protocol.grpc.proto.ModelInferRequest.InferRequestedOutputTensor;
import dev.kiln.protocol.grpc.proto.ServerLiveRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standing hostile suite's gRPC fuzzer (issue 10): seeded mutations of valid ModelInfer requests, at the message
 * level (names, datatypes, shapes, contents, parameters) and at the byte level (the encoded request with bytes flipped,
 * cut or inserted), sent over TCP. Every call must end with a status that is not UNKNOWN or INTERNAL, since all of this
 * input is the caller's; no status may carry a path, a class name, a stack frame or a source location; the server must
 * still answer afterwards. A failing case prints its seed and index.
 */
class ModelInferFuzzTest {
  static final long SEED = Long.getLong("kiln.fuzz.seed", 20261206L);
  static final int CASES = Integer.getInteger("kiln.fuzz.cases", 3000);

  /** Source locations (tensorprotoutils.cc:426, Foo.java:12), stack frames, class and package names, paths. */
  static final Pattern LEAK =
      Pattern.compile(
          "\\.(cc|cpp|c|h|hpp|java|kt):\\d+|\\tat |\\bat [a-z]+\\.[a-z]+\\.|(java|javax|jdk|sun|com\\.google|io\\.grpc|"
              + "dev\\.kiln|ai\\.onnxruntime|com\\.fasterxml)\\.[a-zA-Z]|[A-Za-z]+(Exception|Error)\\b|/tmp/|/home/|/root/");

  static final List<String> DATATYPES =
      List.of(
          "BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16", "FP32", "FP64",
          "BYTES", "BF16", "fp32", "", "FP", "FP32 ", "\u0000", "ÉCU");
  // Not mlp_batched: TestCore dispatches it only as a full batch of 8 (so batching tests cannot pass unstacked),
  // and a lone valid request to it would wait out its deadline.
  static final List<String> NAMES =
      List.of(
          "mlp",
          "add_sub",
          "identity_bytes",
          "identity_fp16",
          "identity_int8",
          "",
          "nope",
          "../mlp",
          "mlp/../../etc",
          "%2e%2e",
          "mlp\u0000",
          "a".repeat(5000),
          "ü");
  static final long[] DIMS = {
    0, 1, 2, 3, 4, 16, -1, -2, 1 << 20, Integer.MAX_VALUE, 1L << 32, Long.MAX_VALUE, Long.MIN_VALUE, 4096
  };

  @TempDir static Path root;
  private static TcpKiln kiln;
  private static GRPCInferenceServiceBlockingStub stub;

  @BeforeAll
  static void start() {
    kiln = TcpKiln.start(root);
    stub = GRPCInferenceServiceGrpc.newBlockingStub(kiln.channel());
  }

  @AfterAll
  static void stop() {
    kiln.close();
  }

  @Test
  void mutatedModelInferRequestsAlwaysGetACallersStatusThatLeaksNothing() {
    Random random = new Random(SEED);
    List<ModelInferRequest> seeds = seeds();
    Map<Status.Code, Integer> codes = new EnumMap<>(Status.Code.class);
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < CASES; i++) {
      ModelInferRequest base = seeds.get(random.nextInt(seeds.size()));
      Status status;
      String what;
      if (random.nextInt(4) == 0) {
        byte[] bytes = mutateBytes(base.toByteArray(), random);
        what = "bytes " + bytes.length;
        status = call(() -> RawCalls.modelInfer(kiln.channel(), bytes));
      } else {
        ModelInferRequest request = mutate(base, random);
        what = "message " + abbreviate(request.toString());
        status = call(() -> stub.withDeadlineAfter(30, TimeUnit.SECONDS).modelInfer(request));
      }
      codes.merge(status.getCode(), 1, Integer::sum);
      String description = status.getDescription() == null ? "" : status.getDescription();
      if (status.getCode() == Status.Code.UNKNOWN
          || status.getCode() == Status.Code.INTERNAL
          || NO_STATUS.equals(description)
          || LEAK.matcher(description).find()) {
        failures.add("seed " + SEED + " case " + i + ": " + status.getCode() + " \"" + description + "\" for " + what);
      }
    }
    System.out.println("gRPC fuzz, seed " + SEED + ", " + CASES + " cases: " + codes);
    assertThat(failures).as("cases answered UNKNOWN/INTERNAL or leaking internals").isEmpty();
    assertThat(codes).containsKeys(Status.Code.OK, Status.Code.INVALID_ARGUMENT, Status.Code.NOT_FOUND);
    assertThat(stub.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
    float[] x = dev.kiln.onnx.ExampleModels.Mlp.randomRow(TestCore.MLP_INPUTS, 1);
    float[] y = floats(stub.modelInfer(Requests.mlpRaw("after", x, 1)).getRawOutputContents(0));
    float[] expected = TestCore.MLP.predict(x);
    for (int k = 0; k < TestCore.MLP_OUTPUTS; k++) {
      assertThat(y[k]).isCloseTo(expected[k], within(1e-4f));
    }
  }

  /**
   * Makes one call under a watchdog: a call that gets no status at all within a minute is a failure of its own
   * (reported as DEADLINE_EXCEEDED with a marker) rather than a suite that hangs.
   */
  private static Status call(Runnable r) {
    java.util.concurrent.CompletableFuture<Status> done =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> {
              try {
                r.run();
                return Status.OK;
              } catch (StatusRuntimeException e) {
                return e.getStatus();
              }
            },
            WATCHED);
    try {
      return done.get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      return Status.DEADLINE_EXCEEDED.withDescription(NO_STATUS);
    } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
      return Status.UNKNOWN.withDescription("the call itself failed: " + e);
    }
  }

  private static final String NO_STATUS = "no status within 60 s";
  private static final java.util.concurrent.ExecutorService WATCHED =
      java.util.concurrent.Executors.newCachedThreadPool(Thread.ofPlatform().daemon().factory());

  /** One valid request per model and encoding. */
  private static List<ModelInferRequest> seeds() {
    float[] row = new float[TestCore.MLP_INPUTS];
    return List.of(
        Requests.mlpRaw("1", row, 1),
        Requests.mlpTyped(row),
        ModelInferRequest.newBuilder()
            .setModelName("add_sub")
            .addInputs(input("a", "FP32", 1, 4))
            .addInputs(input("b", "FP32", 1, 4))
            .addRawInputContents(floats(1, 2, 3, 4))
            .addRawInputContents(floats(4, 3, 2, 1))
            .addOutputs(InferRequestedOutputTensor.newBuilder().setName("sum"))
            .build(),
        ModelInferRequest.newBuilder()
            .setModelName("identity_bytes")
            .addInputs(input("input", "BYTES", 1, 2))
            .addRawInputContents(strings("a", "bc"))
            .build(),
        ModelInferRequest.newBuilder()
            .setModelName("identity_bytes")
            .addInputs(
                input("input", "BYTES", 2)
                    .setContents(
                        InferTensorContents.newBuilder()
                            .addBytesContents(ByteString.copyFromUtf8("x"))
                            .addBytesContents(ByteString.copyFromUtf8("y"))))
            .build(),
        ModelInferRequest.newBuilder()
            .setModelName("identity_fp16")
            .addInputs(input("input", "FP16", 1, 2))
            .addRawInputContents(ByteString.copyFrom(new byte[4]))
            .build(),
        ModelInferRequest.newBuilder()
            .setModelName("identity_int8")
            .addInputs(
                input("input", "INT8", 1, 3)
                    .setContents(
                        InferTensorContents.newBuilder().addIntContents(1).addIntContents(-2).addIntContents(3)))
            .build());
  }

  /** One to three message-level mutations. */
  static ModelInferRequest mutate(ModelInferRequest base, Random r) {
    ModelInferRequest.Builder b = base.toBuilder();
    for (int n = 1 + r.nextInt(3); n > 0; n--) {
      int inputs = b.getInputsCount();
      int k = inputs == 0 ? 0 : r.nextInt(inputs);
      switch (r.nextInt(14)) {
        case 0 -> b.setModelName(pick(NAMES, r));
        case 1 ->
            b.setModelVersion(List.of("", "1", "2", "0", "-1", "99999999999999999999", "x", "1 ").get(r.nextInt(8)));
        case 2 -> {
          if (inputs > 0) {
            b.setInputs(k, b.getInputs(k).toBuilder().setDatatype(pick(DATATYPES, r)));
          }
        }
        case 3 -> {
          if (inputs > 0) {
            InferInputTensor.Builder t = b.getInputs(k).toBuilder().clearShape();
            for (int d = r.nextInt(6); d > 0; d--) {
              t.addShape(DIMS[r.nextInt(DIMS.length)]);
            }
            b.setInputs(k, t);
          }
        }
        case 4 -> {
          if (inputs > 0) {
            b.setInputs(k, b.getInputs(k).toBuilder().setName(pick(List.of("input", "a", "b", "", "x", "INPUT"), r)));
          }
        }
        case 5 -> b.addInputs(inputs > 0 ? b.getInputs(k) : input("input", "FP32", 1, 16).build());
        case 6 -> b.clearInputs();
        case 7 -> b.clearRawInputContents();
        case 8 -> b.addRawInputContents(randomBytes(r, r.nextInt(4) == 0 ? 4096 : r.nextInt(80)));
        case 9 -> {
          if (b.getRawInputContentsCount() > 0) {
            int j = r.nextInt(b.getRawInputContentsCount());
            ByteString raw = b.getRawInputContents(j);
            b.setRawInputContents(j, raw.substring(0, r.nextInt(raw.size() + 1)));
          }
        }
        case 10 -> {
          if (inputs > 0) {
            b.setInputs(k, b.getInputs(k).toBuilder().setContents(randomContents(r)));
          }
        }
        case 11 ->
            b.addOutputs(
                InferRequestedOutputTensor.newBuilder()
                    .setName(pick(List.of("logits", "sum", "diff", "output", "", "nope"), r))
                    .putParameters("binary_data", InferParameter.newBuilder().setBoolParam(r.nextBoolean()).build()));
        case 12 ->
            b.putParameters(
                pick(List.of("sequence_id", "priority", "timeout", "binary_data_output", "x"), r), randomParameter(r));
        default -> {
          if (inputs > 0) {
            b.setInputs(k, b.getInputs(k).toBuilder().putParameters("binary_data_size", randomParameter(r)));
          }
        }
      }
    }
    return b.build();
  }

  static byte[] mutateBytes(byte[] in, Random r) {
    List<Byte> out = new ArrayList<>(in.length + 8);
    for (byte x : in) {
      out.add(x);
    }
    for (int n = 1 + r.nextInt(4); n > 0; n--) {
      int at = out.isEmpty() ? 0 : r.nextInt(out.size());
      switch (r.nextInt(4)) {
        case 0 -> {
          if (!out.isEmpty()) {
            out.set(at, (byte) (out.get(at) ^ (1 << r.nextInt(8))));
          }
        }
        case 1 -> out.add(at, (byte) r.nextInt(256));
        case 2 -> {
          if (!out.isEmpty()) {
            out.remove(at);
          }
        }
        default -> {
          while (out.size() > at) {
            out.remove(out.size() - 1);
          }
        }
      }
    }
    byte[] bytes = new byte[out.size()];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = out.get(i);
    }
    return bytes;
  }

  private static InferTensorContents randomContents(Random r) {
    InferTensorContents.Builder c = InferTensorContents.newBuilder();
    int n = r.nextInt(40);
    switch (r.nextInt(7)) {
      case 0 -> {
        for (int i = 0; i < n; i++) c.addFp32Contents(r.nextFloat());
      }
      case 1 -> {
        for (int i = 0; i < n; i++) c.addIntContents(r.nextInt());
      }
      case 2 -> {
        for (int i = 0; i < n; i++) c.addInt64Contents(r.nextLong());
      }
      case 3 -> {
        for (int i = 0; i < n; i++) c.addBytesContents(randomBytes(r, r.nextInt(8)));
      }
      case 4 -> {
        for (int i = 0; i < n; i++) c.addBoolContents(r.nextBoolean());
      }
      case 5 -> {
        for (int i = 0; i < n; i++) c.addFp64Contents(r.nextGaussian());
      }
      default -> {
        for (int i = 0; i < n; i++) c.addUintContents(r.nextInt()).addFp32Contents(Float.NaN);
      }
    }
    return c.build();
  }

  private static InferParameter randomParameter(Random r) {
    return switch (r.nextInt(4)) {
      case 0 -> InferParameter.newBuilder().setInt64Param(r.nextLong()).build();
      case 1 -> InferParameter.newBuilder().setStringParam("../" + r.nextInt()).build();
      case 2 -> InferParameter.newBuilder().setBoolParam(true).build();
      default -> InferParameter.newBuilder().setDoubleParam(r.nextGaussian()).build();
    };
  }

  private static ByteString randomBytes(Random r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return ByteString.copyFrom(b);
  }

  private static <T> T pick(List<T> from, Random r) {
    return from.get(r.nextInt(from.size()));
  }

  private static String abbreviate(String s) {
    String flat = s.replace('\n', ' ');
    return flat.length() > 300 ? flat.substring(0, 300) + "…" : flat;
  }
}
