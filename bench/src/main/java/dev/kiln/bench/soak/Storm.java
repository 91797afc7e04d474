package dev.kiln.bench.soak;

import dev.kiln.protocol.grpc.proto.GRPCInferenceServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Bad-inputs T12: {@code clients} streaming chat completions dropped mid-generation, {@code atOnce} at a time (a third
 * reset after 1–4 events, a third closed after 1–4 events, a third reset before any answer, while most wait for a
 * slot), then as many unary infer calls on a slow model with a client deadline shorter than the work (half gRPC
 * deadlines, half REST client timeouts). After each wave the server must be back to rest within 1 s ({@link Settle})
 * and still answer a normal request.
 */
final class Storm {
  /** One wave: how its clients ended, how the server settled, and whether a normal request then succeeded. */
  record Wave(
      String name,
      int clients,
      Map<String, Integer> outcomes,
      Settle settle,
      int normalStatus,
      long seconds,
      Map<String, Integer> threadsAfter) {}

  private final ServerProcess server;
  private final String llm;
  private final InferRequests slow;
  private final PrintStream progress;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private final long threadWaitMs;
  private Map<String, Integer> threadsBefore = Map.of();
  private long rowsBefore;

  Storm(ServerProcess server, String llm, InferRequests slow, PrintStream progress, Duration threadWait) {
    this.threadWaitMs = threadWait.toMillis();
    this.server = server;
    this.llm = llm;
    this.slow = slow;
    this.progress = progress;
  }

  /** Live threads once the server has answered one chat and one infer call: the baseline. */
  double warmUp() throws Exception {
    chat();
    infer(Duration.ofSeconds(60));
    Thread.sleep(2000);
    threadsBefore = server.threadGroups();
    return server.metrics().sum(Settle.THREADS);
  }

  /** Thread groups at the baseline. */
  Map<String, Integer> threadsBefore() {
    return threadsBefore;
  }

  Wave streams(int clients, int atOnce, int maxTokens, double threadsBase, int threadMargin) throws Exception {
    byte[] body =
        ("{\"model\":\""
                + llm
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a long "
                + "story.\"}],\"max_tokens\":"
                + maxTokens
                + ",\"temperature\":0.8,\"stream\":true}")
            .getBytes(StandardCharsets.UTF_8);
    byte[] head =
        ("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: "
                + body.length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    return wave(
        "streams dropped mid-generation",
        clients,
        atOnce,
        threadsBase,
        threadMargin,
        i -> {
          try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.httpPort), 10_000);
            s.setSoTimeout(60_000);
            OutputStream out = s.getOutputStream();
            out.write(head);
            out.write(body);
            out.flush();
            int way = i % 3;
            if (way == 2) {
              Thread.sleep(ThreadLocalRandom.current().nextInt(20));
              s.setSoLinger(true, 0);
              return "reset before any answer";
            }
            int events = readEvents(s.getInputStream(), 1 + ThreadLocalRandom.current().nextInt(4));
            if (way == 0) {
              s.setSoLinger(true, 0);
            }
            String when = events < 0 ? " (answer was not 200)" : events == 0 ? " after it finished" : " after tokens";
            return (way == 0 ? "reset" : "closed") + when;
          }
        });
  }

  Wave deadlines(int clients, int atOnce, Duration deadline, double threadsBase, int threadMargin) throws Exception {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort).usePlaintext().build();
    rowsBefore = server.inferenceCount(slow.model());
    try {
      var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
      return wave(
          "unary calls past their deadline",
          clients,
          atOnce,
          threadsBase,
          threadMargin,
          i -> {
            if (i % 2 == 0) {
              try {
                stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS).modelInfer(slow.grpc());
                return "gRPC: answered within the deadline";
              } catch (StatusRuntimeException e) {
                return e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED
                    ? "gRPC: DEADLINE_EXCEEDED"
                    : "gRPC: " + e.getStatus().getCode();
              }
            }
            try {
              int status = infer(deadline);
              return "REST: answered within the timeout (" + status + ")";
            } catch (HttpTimeoutException e) {
              return "REST: client timed out";
            }
          });
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private interface Client {
    String run(int index) throws Exception;
  }

  private Wave wave(String name, int clients, int atOnce, double threadsBase, int threadMargin, Client client)
      throws Exception {
    Map<String, Integer> outcomes = new ConcurrentHashMap<>();
    Semaphore slots = new Semaphore(atOnce);
    long t0 = System.nanoTime();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < clients; i++) {
        slots.acquire();
        int index = i;
        pool.submit(() -> {
          String outcome;
          try {
            outcome = client.run(index);
          } catch (IllegalStateException e) {
            outcome = e.getMessage();
          } catch (Exception e) {
            outcome = "client error: " + e.getClass().getSimpleName();
          } finally {
            slots.release();
          }
          outcomes.merge(outcome, 1, Integer::sum);
        });
        if (i > 0 && i % 200 == 0) {
          progress.println("storm: " + name + ": " + i + " clients");
        }
      }
    }
    long lastGone = System.nanoTime();
    // The thread dump runs beside the polling, so that it sees the threads at their peak without delaying it.
    var dump =
        CompletableFuture.supplyAsync(() -> {
          try {
            return server.threadGroups();
          } catch (Exception e) {
            return Map.<String, Integer>of();
          }
        });
    Settle settle = Settle.watch(server, lastGone, threadsBase, threadMargin, threadWaitMs);
    Map<String, Integer> threadsAfter = dump.join();
    if (!name.startsWith("streams")) {
      // Rows of the slow model computed for this wave (before the normal request): work done for gone clients.
      outcomes.put(
          "rows computed by the server (of " + clients * slow.grpc().getInputs(0).getShape(0) + " sent)",
          (int) (server.inferenceCount(slow.model()) - rowsBefore));
    }
    int normal = name.startsWith("streams") ? chat() : infer(Duration.ofSeconds(60));
    progress.println("storm: " + name + ": " + new TreeMap<>(outcomes) + "; " + settle + "; normal request " + normal);
    return new Wave(
        name, clients, new TreeMap<>(outcomes), settle, normal, (lastGone - t0) / 1_000_000_000, threadsAfter);
  }

  /**
   * Reads Server-Sent Events until {@code wanted} {@code data:} lines have come; 0 if {@code [DONE]} came first, -1 if
   * the status is not 200.
   */
  private static int readEvents(InputStream in, int wanted) throws Exception {
    StringBuilder seen = new StringBuilder();
    byte[] buf = new byte[4096];
    int events = 0;
    while (events < wanted) {
      int n;
      try {
        n = in.read(buf);
      } catch (SocketTimeoutException e) {
        // What a stream that went quiet had sent, for the report (without its chat id, so that such streams
        // add up to one line): its status, how many events, and whether the last one was the role chunk.
        String text = seen.toString();
        String last = text.substring(Math.max(0, text.lastIndexOf("data: ")));
        throw new IllegalStateException(
            "no event for 60 s after "
                + events
                + " event(s)"
                + (last.contains("\"role\"") ? " (the last one the role chunk)" : "")
                + ", status "
                + (text.length() >= 12 ? text.substring(9, 12) : "none"));
      }
      if (n < 0) {
        break;
      }
      seen.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
      if (!seen.toString().startsWith("HTTP/1.1 200")) {
        return seen.length() >= 12 ? -1 : 0;
      }
      events = seen.toString().split("\ndata: ", -1).length - 1;
      if (seen.indexOf("data: [DONE]") >= 0) {
        return 0; // the generation ended (end of sequence) before the drop; the connection stays open
      }
    }
    return events;
  }

  private int chat() throws Exception {
    String body =
        "{\"model\":\""
            + llm
            + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}],"
            + "\"max_tokens\":8,\"temperature\":0}";
    HttpRequest r =
        HttpRequest.newBuilder(URI.create(server.base + "/v1/chat/completions"))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return http.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private int infer(Duration timeout) throws Exception {
    HttpRequest r =
        HttpRequest.newBuilder(URI.create(server.base + slow.path()))
            .timeout(timeout)
            .header("Content-Type", "application/octet-stream")
            .header("Inference-Header-Content-Length", Integer.toString(slow.binaryHeaderLength()))
            .POST(HttpRequest.BodyPublishers.ofByteArray(slow.binary()))
            .build();
    return http.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
