package dev.kiln.cli;

import dev.kiln.onnx.ExampleModels;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The training run of the launcher's start-up cache ({@code ./kiln}, JDK 25's {@code -XX:AOTCacheOutput}): starts
 * {@code kiln serve} the way a replica starts (one small ONNX model, the default SQLite database, both protocols),
 * waits for its ready endpoint to answer 200, then exits. The JVM records the classes loaded and linked on the way and
 * writes the cache when this process exits.
 *
 * <p>Arguments: a scratch folder (emptied by the caller). Exit status 0 when the server became ready and stopped.
 */
public final class StartupTraining {
  private static final Duration READY_WITHIN = Duration.ofMinutes(2);

  private StartupTraining() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: StartupTraining <scratch folder>");
      System.exit(2);
    }
    LibraryLogging.quiet();
    System.exit(run(Path.of(args[0])));
  }

  static int run(Path scratch) throws Exception {
    Path models = scratch.resolve("models");
    Files.createDirectories(models.resolve("add_sub/1"));
    Files.write(models.resolve("add_sub/1/model.onnx"), ExampleModels.addSub());
    int http = freePort();
    int grpc = freePort();
    String[] args = {
      "serve",
      "--models",
      models.toString(),
      "--data",
      scratch.resolve("data").toString(),
      "--http-port",
      Integer.toString(http),
      "--grpc-port",
      Integer.toString(grpc)
    };
    // As Main.main runs it, so that the cache holds what a real start loads.
    CompletableFuture<Integer> serve = CompletableFuture.supplyAsync(() -> Main.commandLine(args).execute(args));
    if (!awaitReady(http, serve)) {
      System.err.println("kiln: the start-up training run did not become ready");
      return 1;
    }
    // Exiting (rather than SIGTERM) cannot race the serve command's signal handler, which it installs only after
    // the server is ready; the JVM writes the cache on the way out either way.
    return 0;
  }

  /** Polls the ready endpoint until 200, the server exits or the time is up. */
  private static boolean awaitReady(int port, CompletableFuture<Integer> serve) throws InterruptedException {
    HttpClient client = HttpClient.newHttpClient();
    HttpRequest ready =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/health/ready"))
            .timeout(Duration.ofSeconds(5))
            .build();
    long deadline = System.nanoTime() + READY_WITHIN.toNanos();
    while (System.nanoTime() < deadline && !serve.isDone()) {
      try {
        if (client.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return true;
        }
      } catch (IOException notYetListening) {
        // The port opens part-way through start-up; try again.
      }
      Thread.sleep(20);
    }
    return false;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
