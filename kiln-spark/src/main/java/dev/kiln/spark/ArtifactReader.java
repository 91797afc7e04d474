package dev.kiln.spark;

import dev.kiln.core.error.KilnException;
import dev.kiln.govern.blob.BlobStore;
import dev.kiln.govern.blob.StoreLocation;
import dev.kiln.govern.crypto.ArtifactCipher;
import dev.kiln.govern.crypto.ArtifactIntegrityException;
import dev.kiln.govern.crypto.MasterKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A model version's bytes, checked against the registry's SHA-256 on the machine that will run them. Through the
 * server, the server has checked them already; the executor checks again, since what crossed the network (or a proxy,
 * or a cache) is what runs. From the store, the executor opens the sealed file with kiln-govern's own cipher, which
 * checks each chunk's tag and the header's checksum, and then holds the plaintext to the registry's checksum: a file
 * swapped for another one sealed under the same key still fails there.
 */
final class ArtifactReader {
  private ArtifactReader() {}

  /**
   * @throws ArtifactIntegrityException naming the model, the version and both checksums when the bytes are not the
   *     registered file
   */
  static byte[] read(ArtifactSource source, VersionRef ref) {
    byte[] bytes =
        switch (source) {
          case ArtifactSource.Registry r -> new RegistryClient(r).artifact(ref);
          case ArtifactSource.Store s -> fromStore(s, ref);
        };
    String actual = sha256(bytes);
    if (!actual.equals(ref.sha256())) {
      throw new ArtifactIntegrityException(
          ref.label()
              + " refused: its file's SHA-256 is "
              + actual
              + " but the registry's is "
              + ref.sha256()
              + " (tampered or corrupted)");
    }
    return bytes;
  }

  private static byte[] fromStore(ArtifactSource.Store s, VersionRef ref) {
    if (ref.artifact().isEmpty()) {
      throw KilnException.notFound(ref.label() + " has no file in the artifact store");
    }
    // A remote store downloads into a scratch folder first; the executor's temporary folder is the one it has.
    BlobStore blobs = StoreLocation.parse(s.store()).open(Path.of(System.getProperty("java.io.tmpdir"), "kiln-spark"));
    try (SeekableByteChannel in =
        blobs
            .open(ref.artifact())
            .orElseThrow(
                () -> KilnException.notFound(ref.label() + ": its file is not in the artifact store " + s.store()))) {
      return cipher(s).decrypt(in, ref.artifact());
    } catch (ArtifactIntegrityException e) {
      throw new ArtifactIntegrityException(
          ref.label() + " refused: its file in the store does not open (" + e.getMessage() + ")", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + ref.label() + " from " + s.store(), e);
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static ArtifactCipher cipher(ArtifactSource.Store s) {
    if (!s.masterKeyFile().isEmpty()) {
      return ArtifactCipher.sealed(MasterKeys.fromFile(Path.of(s.masterKeyFile())));
    }
    return MasterKeys.fromEnvironment(System.getenv()).map(ArtifactCipher::sealed).orElse(ArtifactCipher.plain());
  }
}
