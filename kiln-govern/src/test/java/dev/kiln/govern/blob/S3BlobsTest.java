package dev.kiln.govern.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.govern.crypto.ArtifactCipher;
import dev.kiln.govern.crypto.ArtifactStore;
import dev.kiln.govern.testing.S3Server;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An S3 store that cannot be used stops the start with what to fix; an outage later is 503 until the store is back. */
class S3BlobsTest {
  @TempDir Path dir;
  S3Server server;

  @BeforeEach
  void start() {
    server = S3Server.start(dir.resolve("s3"));
    server.createBucket("kiln");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  StoreLocation.S3 at(String spec) {
    return ((StoreLocation.S3) StoreLocation.parse(spec)).withEndpoint(server.endpoint());
  }

  @Test
  void theLocationIsParsedFromTheFlag() {
    assertThat(StoreLocation.parse("s3://kiln/models/prod/"))
        .isEqualTo(new StoreLocation.S3("kiln", "models/prod/", Optional.empty(), Optional.empty(), Optional.empty()));
    assertThat(StoreLocation.parse("s3://kiln")).hasToString("s3://kiln/");
    assertThat(StoreLocation.parse("file:/srv/kiln/artifacts"))
        .isEqualTo(new StoreLocation.Folder(Path.of("/srv/kiln/artifacts")));
    assertThat(StoreLocation.parse("artifacts")).isEqualTo(new StoreLocation.Folder(Path.of("artifacts")));
    assertThatThrownBy(() -> StoreLocation.parse("s3://Bad_Bucket/x"))
        .hasMessageStartingWith("--store: invalid bucket name");
  }

  @Test
  void aMissingBucketIsNamed() {
    assertThatThrownBy(() -> at("s3://nope/p").open(dir))
        .isInstanceOf(StoreConfigException.class)
        .hasMessage("artifact store s3://nope/p/: bucket nope does not exist: create it or fix --store");
  }

  @Test
  void refusedCredentialsAreNamed() {
    String good = System.getProperty("aws.secretAccessKey");
    System.setProperty("aws.secretAccessKey", "wrong");
    try {
      assertThatThrownBy(() -> at("s3://kiln").open(dir))
          .isInstanceOf(StoreConfigException.class)
          .hasMessage(
              "artifact store s3://kiln/: access to bucket kiln denied (HTTP 403): check AWS_ACCESS_KEY_ID and"
                  + " AWS_SECRET_ACCESS_KEY");
    } finally {
      System.setProperty("aws.secretAccessKey", good);
    }
  }

  @Test
  void anUnreachableEndpointIsNamed() {
    StoreLocation.S3 at = at("s3://kiln").withEndpoint(URI.create("http://127.0.0.1:1"));
    assertThatThrownBy(() -> at.open(dir))
        .isInstanceOf(StoreConfigException.class)
        .hasMessageStartingWith("artifact store s3://kiln/: cannot reach http://127.0.0.1:1: ")
        .hasMessageEndingWith("; check --store-endpoint or AWS_ENDPOINT_URL");
  }

  @Test
  void anOutageIsUnavailableAndLeavesNothingHalfWrittenThenPassesWithNoRestart() {
    ArtifactStore store = ArtifactStore.open(at("s3://kiln/a").open(dir), ArtifactCipher.plain());
    ArtifactStore.PutResult before = store.put(new ByteArrayInputStream(new byte[5000]), 1 << 20);

    server.stop();
    for (Runnable call :
        List.<Runnable>of(
            () -> store.put(new ByteArrayInputStream(new byte[5000]), 1 << 20),
            () -> store.read(before.key(), before.sha256()),
            () -> store.delete(before.key()),
            store::keys)) {
      assertThatThrownBy(call::run)
          .isInstanceOf(KilnException.class)
          .hasMessageStartingWith("artifact store s3://kiln/a/ is unavailable")
          .satisfies(e -> assertThat(((KilnException) e).kind()).isEqualTo(ErrorKind.UNAVAILABLE))
          .satisfies(e -> assertThat(((KilnException) e).retryAfter()).contains(Duration.ofSeconds(5)));
    }

    server.restart();
    assertThat(store.keys()).containsExactly(before.key());
    assertThat(store.read(before.key(), before.sha256())).hasSize(5000);
    ArtifactStore.PutResult after = store.put(new ByteArrayInputStream(new byte[10]), 1 << 20);
    assertThat(store.keys()).containsExactlyInAnyOrder(before.key(), after.key());
  }
}
