package dev.kiln.protocol.grpc;

import static dev.kiln.protocol.grpc.StatusAssert.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.protocol.grpc.proto.GRPCInferenceServiceGrpc;
import dev.kiln.protocol.grpc.proto.ServerLiveRequest;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bytes that are not a protobuf message, sent over TCP on the real method names. */
class MalformedMessageTest {
  /** Field 1 (model_name), length-delimited, with a length varint that never ends. */
  static final byte[] TRUNCATED = {0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff};

  /** Field 1 declared 100 bytes long with 2 present. */
  static final byte[] SHORT = {0x0a, 100, 'm', 'l'};

  /** Wire type 7 does not exist. */
  static final byte[] BAD_WIRE_TYPE = {0x0f, 0x01};

  /** model_name holding bytes that are not UTF-8 (proto3 strings must be). */
  static final byte[] BAD_UTF8 = {0x0a, 0x02, (byte) 0xc3, (byte) 0x28};

  @TempDir static Path root;
  private static TcpKiln kiln;

  @BeforeAll
  static void start() {
    kiln = TcpKiln.start(root);
  }

  @AfterAll
  static void stop() {
    kiln.close();
  }

  @Test
  void malformedModelInferMessagesAreInvalidArgumentWithAShortReason() {
    for (byte[] body : new byte[][] {TRUNCATED, SHORT, BAD_WIRE_TYPE, BAD_UTF8}) {
      assertStatus(
          () -> RawCalls.modelInfer(kiln.channel(), body),
          Status.Code.INVALID_ARGUMENT,
          "not a valid inference.ModelInferRequest");
    }
    assertThat(
            GRPCInferenceServiceGrpc.newBlockingStub(kiln.channel())
                .serverLive(ServerLiveRequest.getDefaultInstance())
                .getLive())
        .isTrue();
  }

  @Test
  void aMalformedMessageOnAStreamEndsItWithInvalidArgument() throws Exception {
    CompletableFuture<Status> end = new CompletableFuture<>();
    StreamObserver<byte[]> requests =
        ClientCalls.asyncBidiStreamingCall(
            kiln.channel()
                .newCall(
                    RawCalls.method(RawCalls.MODEL_STREAM_INFER, MethodType.BIDI_STREAMING),
                    io.grpc.CallOptions.DEFAULT),
            new StreamObserver<byte[]>() {
              @Override
              public void onNext(byte[] value) {}

              @Override
              public void onError(Throwable t) {
                end.complete(Status.fromThrowable(t));
              }

              @Override
              public void onCompleted() {
                end.complete(Status.OK);
              }
            });
    requests.onNext(TRUNCATED);
    Status status = end.get(30, TimeUnit.SECONDS);
    requests.onCompleted();
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).contains("not a valid inference.ModelInferRequest");
  }

  @Test
  void aThousandMalformedMessagesWriteAFewLinesOfLogNotAStackTraceEach() {
    LogBytes log = new LogBytes();
    Logger rootLogger = Logger.getLogger("");
    rootLogger.addHandler(log);
    java.util.Map<Status.Code, Integer> codes = new java.util.EnumMap<>(Status.Code.class);
    try {
      for (int i = 0; i < 1000; i++) {
        try {
          RawCalls.modelInfer(kiln.channel(), SHORT);
          codes.merge(Status.Code.OK, 1, Integer::sum);
        } catch (io.grpc.StatusRuntimeException e) {
          codes.merge(e.getStatus().getCode(), 1, Integer::sum);
        }
      }
    } finally {
      rootLogger.removeHandler(log);
    }
    // Before the fix: a ~5.5 KB stack trace per message, 5 MB here. Bounded: a line per interval with a count.
    assertThat(log.bytes.get()).as("log bytes written for 1,000 malformed messages").isLessThan(4_096);
    assertThat(codes).containsExactly(java.util.Map.entry(Status.Code.INVALID_ARGUMENT, 1000));
  }

  /** Counts the bytes a plain text handler would write: each message and its stack trace. */
  private static final class LogBytes extends Handler {
    final AtomicLong bytes = new AtomicLong();

    LogBytes() {
      setLevel(Level.ALL);
    }

    @Override
    public void publish(LogRecord r) {
      long n = r.getMessage() == null ? 0 : r.getMessage().length();
      if (r.getThrown() != null) {
        StringWriter trace = new StringWriter();
        r.getThrown().printStackTrace(new PrintWriter(trace));
        n += trace.getBuffer().length();
      }
      bytes.addAndGet(n);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }
}
