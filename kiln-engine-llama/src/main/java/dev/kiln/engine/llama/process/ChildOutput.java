package dev.kiln.engine.llama.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A child's output (its log and llama.cpp's), read into this process's log at FINE: llama.cpp unpacking its library at
 * every start is no news. The last lines are kept, and logged as a warning when the child dies, where they hold the
 * cause (llama.cpp's failed assertion, the JVM's crash report).
 */
final class ChildOutput {
  private static final Logger LOG = Logger.getLogger(ChildOutput.class.getName());
  private static final int KEPT = 40;

  private final long pid;
  private final Deque<String> last = new ArrayDeque<>();

  private ChildOutput(long pid) {
    this.pid = pid;
  }

  /** Starts reading {@code p}'s output (stdout and stderr together) on a thread of its own. */
  static ChildOutput read(Process p) {
    ChildOutput out = new ChildOutput(p.pid());
    Thread.ofVirtual().name("llama-log-" + p.pid()).start(() -> out.relay(p));
    return out;
  }

  private void relay(Process p) {
    try (BufferedReader lines = p.inputReader(StandardCharsets.UTF_8)) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        String l = line;
        LOG.fine(() -> "[model process " + pid + "] " + l);
        synchronized (this) {
          if (last.size() == KEPT) {
            last.removeFirst();
          }
          last.addLast(line);
        }
      }
    } catch (IOException e) {
      LOG.log(Level.FINE, "the model process's output ended", e);
    }
  }

  /** Logs the last lines the child wrote, as a warning: it ended because {@code why}. */
  synchronized void dump(String why) {
    LOG.warning(
        why
            + " (pid "
            + pid
            + "); its last output:\n  "
            + String.join("\n  ", last.isEmpty() ? List.of("(none)") : last));
  }
}
