package dev.kiln.protocol.grpc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** Kiln's version as Maven filtered it into {@code kiln-grpc.properties} at build time. */
final class ServerVersion {
  private static final String VERSION = load();

  private ServerVersion() {}

  static String get() {
    return VERSION;
  }

  private static String load() {
    try (InputStream in = ServerVersion.class.getResourceAsStream("kiln-grpc.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
