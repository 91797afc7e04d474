package dev.kiln.core.engine;

/**
 * A model file's bytes, for models that are not plain files: artifacts stored encrypted, decrypted only in memory when
 * a version loads. Implementations verify integrity and throw a {@link dev.kiln.core.error.KilnException} with the
 * reason when the bytes cannot be trusted.
 */
@FunctionalInterface
public interface ArtifactContents {
  byte[] read();
}
