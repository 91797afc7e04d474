package dev.kiln.engine.llama;

import dev.kiln.core.engine.ModelLoadException;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What a GGUF file's header says, read and checked before llama.cpp gets the file: magic, version, counts within what
 * the file can hold, every string and array inside the file, the types of the keys Kiln and llama.cpp read, known
 * tensor types, dimension products without overflow, and every tensor's data aligned and inside the file. A file
 * llama.cpp would abort on (it asserts on some of these) never reaches it. Keeps the scalar and string metadata; arrays
 * are kept as their element type and length only.
 *
 * <p>Every refusal is a {@link ModelLoadException} whose message is written for the caller: it names the key or tensor
 * at fault, never the file (which may be a cache file named by its checksum).
 */
record GgufFile(int version, long tensorCount, Map<String, Object> metadata) {
  private static final Logger LOG = Logger.getLogger(GgufFile.class.getName());

  /** An array value: its element type and length (the elements are skipped). */
  record Array(GgufType element, long length) {}

  /** Reads and checks {@code file}'s header. */
  static GgufFile read(Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      // The header is at the start; a model of several GB is only mapped as far as a buffer reaches.
      ByteBuffer buf =
          ch.map(FileChannel.MapMode.READ_ONLY, 0, Math.min(size, Integer.MAX_VALUE)).order(ByteOrder.LITTLE_ENDIAN);
      return new GgufReader(buf, size).read();
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot read GGUF file " + file, e);
      throw new ModelLoadException("the model file cannot be read", e);
    } catch (BufferUnderflowException e) {
      throw new ModelLoadException("not a valid GGUF file: the header is truncated", e);
    } catch (ArithmeticException | IllegalArgumentException e) {
      // The reader checks sizes before it uses them; this is the backstop for one it missed.
      LOG.log(Level.FINE, "GGUF header of " + file + " refused", e);
      throw new ModelLoadException("not a valid GGUF file: a size in the header is out of range", e);
    }
  }

  Optional<Object> get(String key) {
    return Optional.ofNullable(metadata.get(key));
  }

  /** A numeric metadata value. */
  Optional<Long> number(String key) {
    return get(key).filter(Long.class::isInstance).map(Long.class::cast);
  }

  String architecture() {
    return get("general.architecture").filter(String.class::isInstance).map(String.class::cast).orElse("");
  }
}
