package dev.kiln.engine.llama.process;

import dev.kiln.engine.llama.TinyLlama;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The tiny model with one token of its vocabulary written twice ({@code ▁world} renamed {@code ▁hello}, same length, so
 * every offset stays valid): Kiln's GGUF checks pass, and llama.cpp 4.2.0 aborts the process while it loads the
 * vocabulary ({@code GGML_ASSERT}) instead of refusing the file.
 */
final class CrashingGguf {
  private CrashingGguf() {}

  static void write(Path file) throws IOException {
    TinyLlama.write(file, 1);
    byte[] bytes = Files.readAllBytes(file);
    byte[] world = "▁world".getBytes(StandardCharsets.UTF_8);
    byte[] hello = "▁hello".getBytes(StandardCharsets.UTF_8);
    int at = indexOf(bytes, world);
    System.arraycopy(hello, 0, bytes, at, hello.length);
    Files.write(file, bytes);
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalStateException("token not found");
  }
}
