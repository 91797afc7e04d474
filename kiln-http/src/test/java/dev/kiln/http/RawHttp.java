package dev.kiln.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * HTTP/1.1 over a plain socket, for what {@link java.net.http.HttpClient} hides: whether a response came at all, and
 * its status while the request is still being written. Reads on its own thread while the caller writes, so a server
 * that answers early (431, 413) is heard even if it stops reading.
 */
public final class RawHttp implements AutoCloseable {
  private final Socket socket;
  private final CompletableFuture<String> response = new CompletableFuture<>();

  public RawHttp(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(120_000);
    Thread.ofVirtual()
        .start(() -> {
          try (InputStream in = socket.getInputStream()) {
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            for (int r; (r = in.read(buf)) > 0; ) {
              got.write(buf, 0, r);
              if (complete(got.toString(StandardCharsets.ISO_8859_1))) {
                break;
              }
            }
            response.complete(got.toString(StandardCharsets.ISO_8859_1));
          } catch (IOException e) {
            response.completeExceptionally(e);
          }
        });
  }

  /** Sends the request; a write refused because the server already answered and closed is not an error. */
  public RawHttp write(byte[] request) {
    try {
      OutputStream out = socket.getOutputStream();
      out.write(request);
      out.flush();
    } catch (IOException closedByServer) {
      // The response, if any, is still read by the reader thread.
    }
    return this;
  }

  /** The raw response (head and body) as read; completes exceptionally when the connection ended without one. */
  public CompletableFuture<String> response() {
    return response;
  }

  /** The status code of the response. */
  public static int status(String response) {
    if (!response.startsWith("HTTP/1.1 ")) {
      throw new AssertionError("no HTTP response: '" + response + "'");
    }
    return Integer.parseInt(response.substring(9, 12));
  }

  public static String body(String response) {
    int at = response.indexOf("\r\n\r\n");
    return at < 0 ? "" : response.substring(at + 4);
  }

  public static byte[] post(String path, byte[] body, String... headers) {
    StringBuilder head =
        new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length + "\r\n");
    for (String h : headers) {
      head.append(h).append("\r\n");
    }
    byte[] h = head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    byte[] all = new byte[h.length + body.length];
    System.arraycopy(h, 0, all, 0, h.length);
    System.arraycopy(body, 0, all, h.length, body.length);
    return all;
  }

  /** Whether a response head with Content-Length has its whole body. */
  private static boolean complete(String got) {
    int end = got.indexOf("\r\n\r\n");
    if (end < 0) {
      return false;
    }
    for (String line : got.substring(0, end).split("\r\n")) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        return got.length() - end - 4 >= Integer.parseInt(line.substring(15).trim());
      }
    }
    return false;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
