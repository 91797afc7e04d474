package dev.kiln.deploy;

import static dev.kiln.deploy.Podman.podman;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.deploy.Podman.Result;
import dev.kiln.onnx.ExampleModels;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container image as a user runs it: built with no registry by deploy/container/build-offline.sh (a debootstrapped
 * Debian base, a jlinked runtime, the kiln-cli jar built by this run, the start-up cache the build trains, which the
 * JVM must accept), started read-only as its own user with the verified podman flags, ready on Kiln's readiness probe
 * and its image HEALTHCHECK, answering an OIP inference, and stopped by SIGTERM with exit status 0.
 */
class ContainerImageTest {
  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  private static final String IMAGE = "localhost/kiln:test";
  private static final String CONTAINER = "kiln-image-test";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path tmp;

  @Test
  void theImageBuildsOfflineStartsReadOnlyAsNonRootServesAModelAndStopsCleanlyOnSigterm() throws Exception {
    Podman.requireTools();
    Result build =
        Podman.run(
            List.of(REPO.resolve("deploy/container/build-offline.sh").toString(), IMAGE), Duration.ofMinutes(10), REPO);
    assertThat(build.exit()).as("build-offline.sh:\n%s", build.output()).isZero();
    assertThat(podman(Duration.ofSeconds(30), "image", "inspect", "--format", "{{.Config.User}}", IMAGE).output())
        .isEqualToIgnoringWhitespace("10001:10001");

    assertThat(maxHeapUnderAOneGibLimit()).as("60% of the container's memory limit").isBetween(580L << 20, 650L << 20);
    assertThat(startsWithItsAotCacheRequired()).as("the image's start-up cache fits its entrypoint").contains("0.1.0");

    Path models = readableByAnyone(tmp.resolve("models"));
    ExampleModels.write(models, "add_sub", 1, ExampleModels.addSub());
    readableByAnyone(models.resolve("add_sub"));
    readableByAnyone(models.resolve("add_sub/1"));
    int http = freePort();
    int grpc = freePort();
    podman(Duration.ofSeconds(30), "rm", "--force", "--volumes", CONTAINER);
    List<String> run = new ArrayList<>(List.of("run", "--detach", "--name", CONTAINER, "--read-only"));
    run.addAll(Podman.RUN_FLAGS);
    run.addAll(List.of("--env", "KILN_HEALTHCHECK_PORT=" + http, "--volume", models + ":/var/lib/kiln/models:ro"));
    run.addAll(List.of(IMAGE, "serve", "--host=127.0.0.1", "--http-port=" + http, "--grpc-port=" + grpc));
    run.addAll(List.of("--models=/var/lib/kiln/models", "--data=/var/lib/kiln/data"));
    try {
      Result started = podman(Duration.ofSeconds(60), run.toArray(String[]::new));
      assertThat(started.exit()).as("podman run: %s", started.output()).isZero();
      awaitReady(http);
      assertThat(podman(Duration.ofSeconds(30), "healthcheck", "run", CONTAINER).exit())
          .as("the image's HEALTHCHECK")
          .isZero();

      HttpResponse<String> infer =
          post(
              http,
              "/v2/models/add_sub/infer",
              """
              {"inputs": [{"name": "a", "datatype": "FP32", "shape": [1, 4], "data": [1, 2, 3, 4]},
                          {"name": "b", "datatype": "FP32", "shape": [1, 4], "data": [1, 1, 1, 1]}]}\
              """);
      assertThat(infer.statusCode()).as(infer.body()).isEqualTo(200);
      assertThat(infer.body().replace(" ", ""))
          .contains("\"name\":\"sum\"")
          .contains("[2.0,3.0,4.0,5.0]")
          .contains("[0.0,1.0,2.0,3.0]");

      assertThat(exec("id", "-u").output()).isEqualToIgnoringWhitespace("10001");
      assertThat(exec("touch", "/opt/kiln/written").exit()).as("the root filesystem is read-only").isNotZero();
      assertThat(exec("touch", "/var/lib/kiln/data/written").exit()).as("the data volume is writable").isZero();
      assertThat(exec("sh", "-c", "command -v javac mvn gcc make").output()).as("no build tools inside").isBlank();

      Result stop = podman(Duration.ofSeconds(60), "stop", "--time", "30", CONTAINER);
      assertThat(stop.exit()).as(stop.output()).isZero();
      String logs = podman(Duration.ofSeconds(30), "logs", CONTAINER).output();
      assertThat(podman(Duration.ofSeconds(30), "inspect", "--format", "{{.State.ExitCode}}", CONTAINER).output())
          .as("exit status after SIGTERM; logs:\n%s", logs)
          .isEqualToIgnoringWhitespace("0");
      assertThat(logs).contains("draining requests in flight and stopping");
    } finally {
      podman(Duration.ofSeconds(60), "rm", "--force", "--volumes", CONTAINER);
    }
  }

  /** The JDK's container awareness: the heap it sizes from a 1 GiB limit and the image's MaxRAMPercentage. */
  private static long maxHeapUnderAOneGibLimit() throws IOException, InterruptedException {
    List<String> run = new ArrayList<>(List.of("run", "--rm", "--memory", "1g", "--entrypoint", "java"));
    run.addAll(Podman.RUN_FLAGS);
    run.addAll(List.of(IMAGE, "-XX:+PrintFlagsFinal", "-version"));
    Result flags = podman(Duration.ofSeconds(60), run.toArray(String[]::new));
    assertThat(flags.exit()).as(flags.output()).isZero();
    return flags
        .output()
        .lines()
        .filter(line -> line.contains(" MaxHeapSize "))
        .map(line -> Long.parseLong(line.split("=")[1].trim().split("\\s+")[0]))
        .findFirst()
        .orElseThrow();
  }

  /**
   * {@code kiln --version} through the image's entrypoint with {@code -XX:AOTMode=on} added to the image's own {@code
   * JDK_JAVA_OPTIONS}: the JVM then refuses to start rather than run without the AOT cache, so this passes only when
   * the cache the build trained matches the runtime, class path and flags the entrypoint starts with.
   */
  private static String startsWithItsAotCacheRequired() throws IOException, InterruptedException {
    String env =
        podman(
                Duration.ofSeconds(30),
                "image",
                "inspect",
                "--format",
                "{{range .Config.Env}}{{println .}}{{end}}",
                IMAGE)
            .output();
    String options = env.lines().filter(l -> l.startsWith("JDK_JAVA_OPTIONS=")).findFirst().orElseThrow().substring(17);
    List<String> run =
        new ArrayList<>(List.of("run", "--rm", "--env", "JDK_JAVA_OPTIONS=" + options + " -XX:AOTMode=on"));
    run.addAll(Podman.RUN_FLAGS);
    run.addAll(List.of(IMAGE, "--version"));
    Result version = podman(Duration.ofSeconds(60), run.toArray(String[]::new));
    assertThat(version.exit()).as(version.output()).isZero();
    return version.output();
  }

  private static Result exec(String... command) throws IOException, InterruptedException {
    return podman(
        Duration.ofSeconds(30), Stream.concat(Stream.of("exec", CONTAINER), Stream.of(command)).toArray(String[]::new));
  }

  private static void awaitReady(int port) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> r =
            HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notListeningYet) {
        // The JVM is still starting.
      }
      String state = podman(Duration.ofSeconds(30), "inspect", "--format", "{{.State.Status}}", CONTAINER).output();
      assertThat(state.strip())
          .as("container exited; logs:\n%s", podman(Duration.ofSeconds(30), "logs", CONTAINER).output())
          .isEqualTo("running");
      Thread.sleep(250);
    }
    throw new AssertionError("not ready in 90 s:\n" + podman(Duration.ofSeconds(30), "logs", CONTAINER).output());
  }

  private static HttpResponse<String> post(int port, String path, String json) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The container's user (10001) reads the bind-mounted model repository: a temp folder is owner-only. */
  private static Path readableByAnyone(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
      }
    }
    return dir;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
