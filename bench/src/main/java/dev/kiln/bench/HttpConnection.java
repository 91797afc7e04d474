package dev.kiln.bench;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * A minimal blocking HTTP/1.1 client over one keep-alive connection: writes a request prepared in full beforehand,
 * reads the status line, the two headers it needs and a {@code Content-Length} body.
 *
 * <p>Why not the JDK's {@code HttpClient} or a Netty client: both hand every response from an I/O thread to the
 * caller's thread (a wake-up per request), and the JDK client also builds header maps and futures per request. Here the
 * worker's own thread does the socket I/O, through a blocking {@link SocketChannel} and direct buffers (a {@code
 * java.net.Socket} adds a {@code poll} per read and copies through a temporary buffer), so the client costs about one
 * write and one read system call per request and takes little CPU from the server it shares the machine with. It
 * understands exactly what Kiln's server sends (no chunked encoding, no 1xx); anything else is an error.
 */
final class HttpConnection implements AutoCloseable {
  private final SocketChannel channel;
  private ByteBuffer in = ByteBuffer.allocateDirect(16 * 1024);
  private int status;
  private int bodyStart;
  private int bodyLength;
  private int inferenceHeaderLength;

  /**
   * No read timeout: a timed read costs an extra {@code poll} per read. A server that never answers is handled by the
   * closed loop, which closes the connection of a worker that is stuck.
   */
  HttpConnection(String host, int port) throws IOException {
    channel = SocketChannel.open();
    try {
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
      channel.connect(new InetSocketAddress(host, port));
    } catch (IOException e) {
      channel.close();
      throw e;
    }
  }

  /** Sends {@code request} (request line, headers and body, from position to limit) and reads the response. */
  void exchange(ByteBuffer request) throws IOException {
    ByteBuffer out = request.duplicate();
    while (out.hasRemaining()) {
      channel.write(out);
    }
    in.clear();
    int headEnd;
    int scanned = 0;
    while ((headEnd = headEnd(scanned)) < 0) {
      scanned = Math.max(0, in.position() - 3);
      fill();
    }
    parseHead(headEnd);
    int end = bodyStart + bodyLength;
    if (end > in.capacity()) {
      ByteBuffer bigger = ByteBuffer.allocateDirect(end);
      bigger.put(in.flip());
      in = bigger;
    }
    while (in.position() < end) {
      fill();
    }
  }

  int status() {
    return status;
  }

  /** The response body, little-endian; valid until the next exchange. */
  ByteBuffer body() {
    return in.slice(bodyStart, bodyLength).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** {@code Inference-Header-Content-Length} of the response, -1 when absent. */
  int inferenceHeaderLength() {
    return inferenceHeaderLength;
  }

  private void fill() throws IOException {
    if (!in.hasRemaining()) {
      throw new IOException("response head larger than " + in.capacity() + " bytes");
    }
    if (channel.read(in) < 0) {
      throw new EOFException("server closed the connection");
    }
  }

  /** Index just past the blank line ending the head, or -1 while it has not all arrived. */
  private int headEnd(int from) {
    for (int i = from; i + 3 < in.position(); i++) {
      if (in.get(i) == '\r' && in.get(i + 1) == '\n' && in.get(i + 2) == '\r' && in.get(i + 3) == '\n') {
        return i + 4;
      }
    }
    return -1;
  }

  private void parseHead(int headEnd) throws IOException {
    byte[] bytes = new byte[headEnd];
    in.get(0, bytes);
    String head = new String(bytes, StandardCharsets.ISO_8859_1);
    if (!head.startsWith("HTTP/1.1 ") || head.length() < 12) {
      throw new IOException("not an HTTP/1.1 response: " + head.lines().findFirst().orElse(""));
    }
    status = Integer.parseInt(head, 9, 12, 10);
    bodyStart = headEnd;
    bodyLength = -1;
    inferenceHeaderLength = -1;
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      String name = colon < 0 ? "" : line.substring(0, colon);
      if (name.equalsIgnoreCase("content-length")) {
        bodyLength = Integer.parseInt(line.substring(colon + 1).trim());
      } else if (name.equalsIgnoreCase("inference-header-content-length")) {
        inferenceHeaderLength = Integer.parseInt(line.substring(colon + 1).trim());
      } else if (name.equalsIgnoreCase("transfer-encoding")) {
        throw new IOException("unexpected Transfer-Encoding in a response");
      }
    }
    if (bodyLength < 0) {
      throw new IOException("response without Content-Length");
    }
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // Closing a connection we are done with; nothing to do about a failure.
    }
  }
}
