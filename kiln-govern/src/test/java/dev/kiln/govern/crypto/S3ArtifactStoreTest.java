package dev.kiln.govern.crypto;

import dev.kiln.govern.blob.BlobStore;
import dev.kiln.govern.blob.StoreLocation;
import dev.kiln.govern.testing.S3Server;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The artifact store's contract on a real S3 API (s3proxy), each test under its own prefix of one bucket. */
class S3ArtifactStoreTest extends ArtifactStoreContract {
  private static S3Server server;
  private static Path serverFolder;
  private BlobStore blobs;

  @BeforeAll
  static void startServer() throws Exception {
    serverFolder = Files.createTempDirectory("kiln-s3proxy");
    server = S3Server.start(serverFolder);
    server.createBucket("kiln-artifacts");
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @Override
  BlobStore blobs() {
    if (blobs == null) {
      StoreLocation.S3 at =
          ((StoreLocation.S3) StoreLocation.parse("s3://kiln-artifacts/test-" + UUID.randomUUID()))
              .withEndpoint(server.endpoint());
      blobs = at.open(dir.resolve("data"));
    }
    return blobs;
  }
}
