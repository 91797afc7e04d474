package dev.kiln.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The console's files: the pages from this jar's {@code static} folder, uPlot from its webjar. Names are checked
 * against a strict pattern before any lookup, so no request path can climb out of the folder. Files are read once and
 * kept (they are a few hundred KB together); a development folder, when given, is read on every request so edits show
 * on reload without a rebuild.
 */
final class ConsoleFiles {
  /** Lower-case path segments and one known extension: what the console ships, nothing else. */
  static final Pattern NAME =
      Pattern.compile("(?:[a-z0-9][a-z0-9_-]*/){0,3}[a-zA-Z0-9][a-zA-Z0-9._-]*\\.(js|css|html|svg|png|ico)");

  private static final String STATIC = "dev/kiln/console/static/";
  private static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/dist/";
  private static final Map<String, String> TYPES =
      Map.of(
          "js", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8",
          "html", "text/html; charset=utf-8",
          "svg", "image/svg+xml",
          "png", "image/png",
          "ico", "image/x-icon");

  /** A file's bytes and media type. */
  record File(byte[] bytes, String contentType) {}

  private final Optional<Path> devFolder;
  private final Map<String, Optional<File>> cache = new ConcurrentHashMap<>();

  /**
   * @param devFolder a checkout's {@code static} folder to serve instead of the jar's (development only)
   */
  ConsoleFiles(Optional<Path> devFolder) {
    this.devFolder = devFolder;
  }

  /** The file under {@code name} (relative to the console's root; {@code vendor/uplot/...} for uPlot), if any. */
  Optional<File> find(String name) {
    if (!NAME.matcher(name).matches() || name.contains("..")) {
      return Optional.empty();
    }
    if (devFolder.isPresent() && !name.startsWith("vendor/")) {
      return read(devFolder.get().resolve(name), name);
    }
    return cache.computeIfAbsent(name, ConsoleFiles::load);
  }

  private static Optional<File> load(String name) {
    String resource =
        name.startsWith("vendor/uplot/") ? UPLOT + name.substring("vendor/uplot/".length()) : STATIC + name;
    try (InputStream in = ConsoleFiles.class.getClassLoader().getResourceAsStream(resource)) {
      return in == null ? Optional.empty() : Optional.of(new File(in.readAllBytes(), type(name)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read console file " + name, e);
    }
  }

  private static Optional<File> read(Path file, String name) {
    try {
      return Files.isRegularFile(file) ? Optional.of(new File(Files.readAllBytes(file), type(name))) : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read console file " + file, e);
    }
  }

  private static String type(String name) {
    return TYPES.get(name.substring(name.lastIndexOf('.') + 1));
  }
}
