package dev.kiln.engine.llama.process;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.engine.ModelLoadException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * Starting a child: the socket it connects back to, its output relayed into this process's log, and the wait for its
 * {@code ready}, given up when it exits first or takes too long; and how a child's end is told (status or signal).
 */
final class ChildLaunch {
  private static final Logger LOG = Logger.getLogger(ChildLaunch.class.getName());

  /** Linux's limit for a socket path is 108 bytes with its terminating zero. */
  private static final int MAX_SOCKET_PATH = 107;

  private ChildLaunch() {}

  /**
   * Starts a child with {@code command} (given the socket path it connects to) and waits until it has loaded its model.
   *
   * @param home the model's owner-only folder: the socket is made there, and deleted once the child is connected
   * @throws ModelLoadException when the child cannot load the model, dies or does not answer within {@code timeout}
   */
  static ChildProcess start(Function<Path, List<String>> command, Path home, Duration timeout) {
    Path socket = home.resolve("channel.sock");
    Path shortFolder = null;
    Process process = null;
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      if (tooLong(socket)) {
        // A deep scratch folder: the socket goes to an owner-only folder of its own in the temporary folder.
        shortFolder =
            Files.createTempDirectory(
                Path.of(System.getProperty("java.io.tmpdir")),
                "kiln-sock-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        socket = shortFolder.resolve("s");
        if (tooLong(socket)) {
          throw new ModelLoadException(
              "the temporary folder's path is too long for a Unix-domain socket (at most "
                  + MAX_SOCKET_PATH
                  + " bytes)");
        }
      }
      Files.deleteIfExists(socket); // left by a child that died before it connected
      server.bind(UnixDomainSocketAddress.of(socket));
      process = new ProcessBuilder(command.apply(socket)).redirectErrorStream(true).start();
      Process p = process;
      ChildOutput output = ChildOutput.read(p);
      SocketChannel channel = await(() -> server.accept(), p, timeout, output);
      Frames frames = new Frames(channel);
      JsonNode hello = await(() -> frames.read().orElseThrow(() -> new IOException("ended")), p, timeout, output);
      if (hello.has("loadFailed")) {
        p.waitFor(10, TimeUnit.SECONDS);
        channel.close();
        throw Wire.exception(hello.get("loadFailed"));
      }
      return new ChildProcess(p, channel, hello.get("contextLength").asInt(), output).listen();
    } catch (IOException e) {
      kill(process);
      throw new ModelLoadException("the model's process could not be started", e);
    } catch (InterruptedException e) {
      kill(process);
      Thread.currentThread().interrupt();
      throw new ModelLoadException("interrupted while the model's process started");
    } catch (RuntimeException e) {
      kill(process);
      throw e;
    } finally {
      ProcessEngine.deleteQuietly(socket);
      if (shortFolder != null) {
        ProcessEngine.deleteQuietly(shortFolder);
      }
    }
  }

  private static boolean tooLong(Path socket) {
    return socket.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH;
  }

  /** A blocking step of the start, given up when the child exits first or {@code timeout} passes. */
  private static <T> T await(Step<T> step, Process p, Duration timeout, ChildOutput output)
      throws InterruptedException {
    CompletableFuture<T> done = new CompletableFuture<>();
    Thread.startVirtualThread(() -> {
      try {
        done.complete(step.run());
      } catch (IOException | RuntimeException e) {
        done.completeExceptionally(e);
      }
    });
    try {
      CompletableFuture.anyOf(done, p.onExit()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException ended) {
      // the channel ended: the child is exiting, and its status says why
    } catch (TimeoutException e) {
      kill(p);
      throw new ModelLoadException("the model's process did not load the model within " + timeout.toSeconds() + " s");
    }
    if (done.isDone() && !done.isCompletedExceptionally()) {
      return done.join();
    }
    p.waitFor(10, TimeUnit.SECONDS);
    String why = "the model's process " + ended(p) + " while it loaded the model";
    output.dump(why);
    throw new ModelLoadException(why);
  }

  private interface Step<T> {
    T run() throws IOException;
  }

  /** How a child ended, for reasons: its exit status or the signal that killed it. */
  static String ended(Process p) {
    if (p.isAlive()) {
      return "stopped answering";
    }
    int status = p.exitValue();
    return status > 128 && status < 160
        ? "was killed by signal " + (status - 128) + signalName(status - 128)
        : "exited with status " + status;
  }

  private static String signalName(int signal) {
    return switch (signal) {
      case 6 -> " (SIGABRT)";
      case 9 -> " (SIGKILL)";
      case 11 -> " (SIGSEGV)";
      default -> "";
    };
  }

  private static void kill(Process p) {
    if (p != null) {
      p.destroyForcibly();
    }
  }
}
