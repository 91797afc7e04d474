package dev.kiln.engine.llama.process;

import dev.kiln.core.error.KilnException;
import dev.kiln.core.llm.ChatMessage;
import dev.kiln.core.llm.Generation;
import dev.kiln.core.llm.LanguageModel;
import dev.kiln.core.llm.TokenSink;
import dev.kiln.core.llm.Tool;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * A language model whose engine runs in a child process, and that process's supervisor. Calls go to the current child;
 * when it dies (exit, end of channel, or a heartbeat unanswered for five periods) what was in flight fails with
 * UNAVAILABLE, the model reports the reason as its {@link #fault()}, and a new child is started after a back-off that
 * doubles each time, up to {@link ProcessOptions#restarts()} times in a row (a child that served for a minute starts
 * the count afresh). While there is no child, calls fail at once with UNAVAILABLE and that reason.
 */
final class ProcessLanguageModel implements LanguageModel {
  private static final Logger LOG = Logger.getLogger(ProcessLanguageModel.class.getName());
  private static final Duration STABLE = Duration.ofMinutes(1);

  private final Supplier<ChildProcess> starter;
  private final ProcessOptions options;
  private final Runnable cleanup;
  private final int contextLength;
  private final ScheduledExecutorService timer;
  private volatile Optional<ChildProcess> child;
  private volatile Optional<String> fault = Optional.empty();
  private int failures;
  private boolean closed;

  /**
   * @param first the child already started (a model that cannot load at all fails in the engine's {@code load})
   * @param starter starts another child on the same model
   * @param cleanup run once the last child has ended: deletes the model's folder
   */
  ProcessLanguageModel(ChildProcess first, Supplier<ChildProcess> starter, ProcessOptions options, Runnable cleanup) {
    this.starter = starter;
    this.options = options;
    this.cleanup = cleanup;
    this.contextLength = first.contextLength();
    this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("llama-watch").factory());
    adopt(first);
    long beat = options.heartbeat().toMillis();
    timer.scheduleWithFixedDelay(this::heartbeat, beat, beat, TimeUnit.MILLISECONDS);
  }

  private synchronized void adopt(ChildProcess c) {
    child = Optional.of(c);
    fault = Optional.empty();
    c.onDeath(why -> died(c, why));
  }

  private void heartbeat() {
    child.ifPresent(c -> {
      if (c.silence().compareTo(options.heartbeat().multipliedBy(5)) > 0) {
        LOG.warning("a model's process (pid " + c.pid() + ") stopped answering; killing it");
        c.kill();
      } else {
        c.ping();
      }
    });
  }

  private synchronized void died(ChildProcess c, String why) {
    if (closed || child.orElse(null) != c) {
      return;
    }
    child = Optional.empty();
    if (c.age().compareTo(STABLE) > 0) {
      failures = 0;
    }
    retryOrGiveUp(why);
  }

  /** Schedules the next restart after the back-off, or gives up after the last allowed one. */
  private synchronized void retryOrGiveUp(String why) {
    if (closed) {
      return;
    }
    failures++;
    if (failures > options.restarts()) {
      fault = Optional.of(why + "; not restarted after " + options.restarts() + " attempts");
      LOG.warning("a language model stays failed: " + fault.get());
      return;
    }
    fault = Optional.of(why + "; restarting");
    timer.schedule(this::restart, options.backoff().toMillis() << Math.min(failures - 1, 5), TimeUnit.MILLISECONDS);
  }

  private void restart() {
    synchronized (this) {
      if (closed) {
        return;
      }
    }
    try {
      ChildProcess c = starter.get();
      synchronized (this) {
        if (closed) {
          c.stop(options.stopTimeout());
          return;
        }
        adopt(c);
      }
      LOG.info("a model's process was restarted (pid " + c.pid() + ")");
    } catch (RuntimeException e) {
      retryOrGiveUp(e.getMessage()); // a failed start counts as another death
    }
  }

  @Override
  public Optional<String> fault() {
    return fault;
  }

  /** The child serving now; UNAVAILABLE with the reason while there is none. */
  private ChildProcess current() {
    return child.orElseThrow(() -> KilnException.unavailable(fault.orElse("the model's process is not running")));
  }

  @Override
  public String applyChatTemplate(List<ChatMessage> messages) {
    return (String) call("applyChatTemplate", messages);
  }

  /** With tools or tool messages: the child's engine renders the GGUF's own template, as it does in process. */
  @Override
  public String applyChatTemplate(List<ChatMessage> messages, List<Tool> tools) {
    return (String) call("applyChatTemplate", List.copyOf(messages), List.copyOf(tools));
  }

  @Override
  public Handle generate(Generation generation, TokenSink sink) {
    return current().generate(Objects.requireNonNull(generation, "generation"), Objects.requireNonNull(sink, "sink"));
  }

  @Override
  public int countTokens(String text) {
    return (Integer) call("countTokens", Objects.requireNonNull(text, "text"));
  }

  @Override
  @SuppressWarnings("unchecked")
  public List<float[]> embed(List<String> inputs) {
    return (List<float[]>) call("embed", List.copyOf(inputs));
  }

  private Object call(String name, Object... args) {
    Method m = Wire.method(LanguageModel.class, name, args.length);
    return current().call(m, args);
  }

  @Override
  public int contextLength() {
    return contextLength;
  }

  /** Ends the child (gracefully, then by force) and deletes the model's folder; the native memory goes with it. */
  @Override
  public void close() {
    Optional<ChildProcess> last;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      last = child;
      child = Optional.empty();
      fault = Optional.of("closed");
    }
    timer.shutdownNow();
    last.ifPresent(c -> c.stop(options.stopTimeout()));
    cleanup.run();
  }

  /** The current child's process id, for tests and logs. */
  Optional<Long> pid() {
    return child.map(ChildProcess::pid);
  }
}
