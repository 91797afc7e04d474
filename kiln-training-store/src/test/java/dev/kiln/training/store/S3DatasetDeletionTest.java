package dev.kiln.training.store;

import dev.kiln.govern.blob.BlobStore;
import dev.kiln.govern.blob.StoreLocation;
import dev.kiln.govern.store.Backend;
import dev.kiln.govern.testing.S3Server;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DatasetDeletionTest} with the artifact store in an S3 bucket (s3proxy on a real port): the keys it lists
 * before and after a delete are the bucket's objects.
 */
class S3DatasetDeletionTest {
  static S3Server server;
  @TempDir static Path folder;

  @BeforeAll
  static void startServer() {
    server = S3Server.start(folder);
    server.createBucket("kiln-datasets");
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @Nested
  class OnSqlite extends DatasetDeletionTest {
    OnSqlite() {
      super(Backend.SQLITE);
    }

    @Override
    BlobStore blobs() {
      StoreLocation.S3 at =
          ((StoreLocation.S3) StoreLocation.parse("s3://kiln-datasets/" + tmp.getFileName()))
              .withEndpoint(server.endpoint());
      return at.open(tmp.resolve("s3-scratch"));
    }
  }
}
