package dev.kiln.spark;

import java.io.Serializable;
import java.util.Objects;

/**
 * Where executors read a model version's file. Either way the registry says which file it is and its SHA-256, and the
 * executor checks the bytes it got against that checksum before anything runs them.
 */
public sealed interface ArtifactSource extends Serializable {
  /** The Kiln server, e.g. {@code http://kiln:8000}. */
  String registryUrl();

  /** An API key with {@code manage} scope on the model (reading a version's file needs it); empty with auth off. */
  String apiKey();

  /** The file through the server ({@code GET /api/v1/models/{m}/versions/{v}/artifact}): decrypted by the server. */
  static ArtifactSource registry(String registryUrl, String apiKey) {
    return new Registry(registryUrl, apiKey);
  }

  /**
   * The file straight from the artifact store the server writes to (a folder every executor sees, or {@code
   * s3://bucket/prefix}), decrypted on the executor: the server only answers one small metadata request per job.
   *
   * @param masterKeyFile the server's master key file as the executors see it; empty: {@code KILN_MASTER_KEY} in the
   *     executor's environment, else the store is taken as unencrypted
   */
  static ArtifactSource store(String registryUrl, String apiKey, String store, String masterKeyFile) {
    return new Store(registryUrl, apiKey, store, masterKeyFile);
  }

  /** Bytes through the server. */
  record Registry(String registryUrl, String apiKey) implements ArtifactSource {
    public Registry {
      Objects.requireNonNull(registryUrl, "registryUrl");
      Objects.requireNonNull(apiKey, "apiKey");
    }

    @Override
    public String toString() {
      return "Registry[" + registryUrl + "]"; // never the key: this lands in Spark's logs and plans
    }
  }

  /** Bytes from the store, decrypted with the master key on the executor. */
  record Store(String registryUrl, String apiKey, String store, String masterKeyFile) implements ArtifactSource {
    public Store {
      Objects.requireNonNull(registryUrl, "registryUrl");
      Objects.requireNonNull(apiKey, "apiKey");
      Objects.requireNonNull(store, "store");
      Objects.requireNonNull(masterKeyFile, "masterKeyFile");
    }

    @Override
    public String toString() {
      return "Store[" + registryUrl + ", " + store + "]";
    }
  }
}
