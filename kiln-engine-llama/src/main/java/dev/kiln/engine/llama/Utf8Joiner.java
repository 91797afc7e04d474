package dev.kiln.engine.llama;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Turns token pieces into text when a character's UTF-8 bytes are split over tokens (byte-fallback tokens of emoji and
 * CJK): a piece's text is what it completes, and the bytes of a character it only begins wait for the next piece.
 */
final class Utf8Joiner {
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

  String add(byte[] piece) {
    pending.writeBytes(piece);
    byte[] all = pending.toByteArray();
    int complete = completePrefix(all);
    pending.reset();
    pending.write(all, complete, all.length - complete);
    return new String(all, 0, complete, StandardCharsets.UTF_8);
  }

  /** Bytes up to the start of a trailing character that is still missing bytes (at most 3 of them). */
  static int completePrefix(byte[] b) {
    for (int back = 1; back <= Math.min(3, b.length); back++) {
      int lead = b[b.length - back] & 0xff;
      if ((lead & 0xc0) == 0x80) {
        continue; // a continuation byte: its lead is further back
      }
      int needs = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
      return needs > back ? b.length - back : b.length;
    }
    return b.length; // not UTF-8 at the end: decoded as is (with replacement characters)
  }
}
