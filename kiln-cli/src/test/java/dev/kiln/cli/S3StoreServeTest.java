package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.govern.blob.StoreLocation;
import dev.kiln.govern.crypto.ArtifactCipher;
import dev.kiln.govern.crypto.ArtifactStore;
import dev.kiln.govern.crypto.MasterKeys;
import dev.kiln.govern.testing.S3Server;
import dev.kiln.onnx.ExampleModels;
import dev.kiln.server.GovernanceConfig;
import dev.kiln.server.Kiln;
import dev.kiln.server.KilnConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server whose artifacts live in S3 (s3proxy on a real port): a pushed model is served from the bucket, survives a
 * restart on an empty data folder, and an outage of the store refuses pushes with 503 until it is back, with no
 * restart.
 */
class S3StoreServeTest {
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path tmp;
  S3Server s3;
  Kiln kiln;

  @BeforeEach
  void startS3() {
    s3 = S3Server.start(tmp.resolve("s3"));
    s3.createBucket("kiln-models");
  }

  @AfterEach
  void stop() {
    if (kiln != null) {
      kiln.close();
    }
    s3.close();
  }

  /** A server on {@code data}, its database apart from it, its artifacts in the bucket. */
  Kiln serve(Path data) throws Exception {
    Path repo = Files.createDirectories(tmp.resolve("repo"));
    String db = "jdbc:sqlite:" + tmp.resolve("governance.db");
    StoreLocation store = ((StoreLocation.S3) StoreLocation.parse("s3://kiln-models/prod")).withEndpoint(s3.endpoint());
    return Kiln.start(
        KilnConfig.defaults(repo, 0, 0)
            .withGovernance(
                GovernanceConfig.defaults(data)
                    .withDatabase(new GovernanceConfig.Database(db, Optional.empty(), Optional.empty()))
                    .withArtifactStore(store)));
  }

  HttpResponse<String> push(String name) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + kiln.httpPort() + "/api/v1/models/" + name + "/versions"))
            .header("Content-Type", "application/octet-stream")
            .POST(HttpRequest.BodyPublishers.ofByteArray(ExampleModels.addSub()))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  String infer(String model) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + kiln.httpPort() + "/v2/models/" + model + "/infer"))
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"inputs\":[{\"name\":\"a\",\"datatype\":\"FP32\",\"shape\":[1,4],\"data\":[1,2,3,4]},"
                            + "{\"name\":\"b\",\"datatype\":\"FP32\",\"shape\":[1,4],\"data\":[1,1,1,1]}],"
                            + "\"outputs\":[{\"name\":\"sum\"}]}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new ObjectMapper().readTree(r.body()).at("/outputs/0/data").toString();
  }

  static long objectsUnder(Path folder) throws Exception {
    try (Stream<Path> files = Files.walk(folder)) {
      return files.filter(Files::isRegularFile).count();
    }
  }

  @Test
  void aModelPushedToTheBucketIsServedAfterARestartOnAnEmptyDataFolder() throws Exception {
    Path first = tmp.resolve("data-1");
    kiln = serve(first);
    assertThat(push("add_sub").statusCode()).isEqualTo(201);
    assertThat(infer("add_sub")).isEqualTo("[2.0,3.0,4.0,5.0]");
    assertThat(objectsUnder(s3.folder().resolve("kiln-models"))).isEqualTo(1);
    assertThat(first.resolve("artifacts/objects")).doesNotExist();
    kiln.close();

    kiln = serve(tmp.resolve("data-2")); // nothing on local disk but the database
    assertThat(infer("add_sub")).isEqualTo("[2.0,3.0,4.0,5.0]");
  }

  @Test
  void anOutageRefusesPushesWith503AndLeavesTheRegistryAsItWasUntilTheStoreIsBack() throws Exception {
    kiln = serve(tmp.resolve("data"));
    assertThat(push("add_sub").statusCode()).isEqualTo(201);

    s3.stop();
    HttpResponse<String> refused = push("add_sub");
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
    assertThat(refused.headers().firstValue("Retry-After")).contains("5");
    assertThat(refused.body()).contains("artifact store s3://kiln-models/prod/ is unavailable");
    HttpResponse<String> another = push("other");
    assertThat(another.statusCode()).isEqualTo(503);

    s3.restart();
    HttpResponse<String> list =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + kiln.httpPort() + "/api/v1/models/add_sub"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(list.body()).contains("\"version\":1").doesNotContain("\"version\":2");
    assertThat(
            HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + kiln.httpPort() + "/api/v1/models/other"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode())
        .isEqualTo(404);
    HttpResponse<String> again = push("add_sub");
    assertThat(again.statusCode()).as(again.body()).isEqualTo(201);
    assertThat(again.body()).contains("\"state\":\"PUBLISHED\""); // the refused push's number is not reused
    assertThat(infer("add_sub")).isEqualTo("[2.0,3.0,4.0,5.0]");
  }

  @Test
  void masterKeyRewrapReWrapsTheArtifactsInTheBucket() throws Exception {
    Path key = tmp.resolve("master.key");
    MasterKeys.generate(key);
    StoreLocation.S3 store =
        ((StoreLocation.S3) StoreLocation.parse("s3://kiln-models/prod")).withEndpoint(s3.endpoint());
    ArtifactStore artifacts =
        ArtifactStore.open(store.open(tmp.resolve("data")), ArtifactCipher.sealed(MasterKeys.fromFile(key)));
    ArtifactStore.PutResult put = artifacts.put(new ByteArrayInputStream(ExampleModels.addSub()), 1 << 20);
    String current = MasterKeys.rotate(key).currentId();

    String[] rewrap = {
      "master-key",
      "rewrap",
      "--data",
      tmp.resolve("cli-data").toString(),
      "--master-key",
      key.toString(),
      "--store",
      "s3://kiln-models/prod",
      "--store-endpoint",
      s3.endpoint().toString()
    };
    assertThat(cli(rewrap))
        .isEqualTo("1 artifact(s) in s3://kiln-models/prod/ re-wrapped under master key " + current + "\n");
    assertThat(cli(rewrap)).startsWith("0 artifact(s)");
    // Wrapped under the new key now: the store that only knows the old one cannot read it, one with the file can.
    assertThatThrownBy(() -> artifacts.read(put.key(), put.sha256()))
        .hasMessageContaining("encrypted under master key " + current + ", which is not loaded");
    ArtifactStore rotated =
        ArtifactStore.open(store.open(tmp.resolve("data")), ArtifactCipher.sealed(MasterKeys.fromFile(key)));
    assertThat(rotated.read(put.key(), put.sha256())).isEqualTo(ExampleModels.addSub());
  }

  /** Runs the CLI in this JVM; what it printed. */
  static String cli(String... args) {
    PrintStream saved = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      assertThat(Main.commandLine().execute(args)).isZero();
    } finally {
      System.setOut(saved);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
