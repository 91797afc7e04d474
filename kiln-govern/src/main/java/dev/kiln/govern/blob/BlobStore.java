package dev.kiln.govern.blob;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Files under keys of the form {@code <folder>/<name>} (both plain ASCII the caller has already checked), each
 * published whole or not at all. The caller writes a file in {@link #scratch()} and hands it over; readers get a
 * seekable channel, since the artifact cipher reads its header and chunks by position.
 *
 * <p>Failures: a local folder throws {@link IOException}; a remote service that cannot be reached or refuses throws
 * {@code KilnException} UNAVAILABLE naming the store, so a client sees 503 and tries again, and nothing is left half
 * written either way.
 */
public interface BlobStore {
  /** Where the files are, for messages and logs: a folder, or {@code s3://bucket/prefix}. */
  String location();

  /**
   * A local owner-only folder for files being written or read; what a dead writer left there is stale after a while.
   */
  Path scratch();

  /**
   * Publishes {@code file} (in {@link #scratch()}, complete and flushed) under {@code key} in one step, replacing what
   * was there; {@code file} is moved or deleted either way.
   */
  void put(String key, Path file) throws IOException;

  /** The file under {@code key}, open for reading from position 0; empty if there is none. Close it when done. */
  Optional<SeekableByteChannel> open(String key) throws IOException;

  /** Deletes the file under {@code key}; false if there was none. */
  boolean delete(String key) throws IOException;

  /** Every key held, in no particular order. */
  List<String> keys() throws IOException;

  /** When the file under {@code key} was written; empty if there is none. */
  Optional<Instant> lastModified(String key) throws IOException;
}
