package dev.kiln.console;

import dev.kiln.core.error.KilnException;
import dev.kiln.http.Access;
import dev.kiln.http.RestResponse;
import dev.kiln.http.RestService;
import dev.kiln.http.Router;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The web console under {@code /console}: one page ({@code index.html}) whose ES modules draw every view in the browser
 * from the public APIs, with the caller's own session. The files are open (they hold no data); everything they show
 * comes through routes that check the caller like any other client, so the console can do exactly what its key can.
 *
 * <p>Why plain modules and no bundler: browsers load ES modules natively, the console's own code is small, and its one
 * third-party piece (uPlot, for charts) ships as a webjar; so the build needs no npm step and the jar carries the whole
 * console, served from this host only (the Content-Security-Policy allows nothing else).
 */
public final class ConsoleService implements RestService {
  /** Development: serve the pages from this folder (a checkout's {@code static}) so edits show on reload. */
  public static final String DEV_FOLDER_PROPERTY = "kiln.console.dir";

  private final ConsoleFiles files;

  public ConsoleService() {
    this(Optional.ofNullable(System.getProperty(DEV_FOLDER_PROPERTY)).map(Path::of));
  }

  ConsoleService(Optional<Path> devFolder) {
    this.files = new ConsoleFiles(devFolder);
  }

  @Override
  public void addRoutes(Router router) {
    router.add(
        HttpMethod.GET,
        "/console",
        Access.OPEN,
        q ->
            CompletableFuture.completedFuture(
                new RestResponse(
                    HttpResponseStatus.MOVED_PERMANENTLY,
                    "text/plain",
                    Unpooled.EMPTY_BUFFER,
                    Map.of("location", "/console/"))));
    router.add(HttpMethod.GET, "/console/", Access.OPEN, q -> file("index.html"));
    router.add(HttpMethod.GET, "/console/(.+)", Access.OPEN, q -> file(q.param(0)));
  }

  private CompletableFuture<RestResponse> file(String name) {
    ConsoleFiles.File f =
        files.find(name).orElseThrow(() -> KilnException.notFound("the console has no file '" + name + "'"));
    // no-cache: the browser revalidates, so a new Kiln's console is never mixed with an old one's cached modules.
    return CompletableFuture.completedFuture(
        new RestResponse(
            HttpResponseStatus.OK,
            f.contentType(),
            Unpooled.wrappedBuffer(f.bytes()),
            Map.of("cache-control", "no-cache")));
  }
}
