package dev.kiln.engine.llama.process;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.llm.Generation;
import dev.kiln.core.llm.LanguageModel;
import dev.kiln.core.llm.TokenSink;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One running child process and its channel: sends calls, routes the answers and events back by request id on one
 * reader thread, and, when the channel ends (the child exited, was killed, or stopped answering), fails everything in
 * flight with UNAVAILABLE and tells its owner once.
 */
final class ChildProcess {
  private static final Logger LOG = Logger.getLogger(ChildProcess.class.getName());

  /** A call waiting for its answer; a generation also has the sink its events go to until it ends. */
  private record Pending(long id, CompletableFuture<JsonNode> answer, Optional<TokenSink> sink) {}

  private final Process process;
  private final ChildOutput output;
  private final SocketChannel channel;
  private final Frames frames;
  private final int contextLength;
  private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private final AtomicBoolean ended = new AtomicBoolean();
  private final long startedAt = System.nanoTime();
  private volatile long lastHeard = System.nanoTime();
  private volatile boolean stopping;
  private Consumer<String> onDeath = why -> {};

  ChildProcess(Process process, SocketChannel channel, int contextLength, ChildOutput output) {
    this.output = output;
    this.process = process;
    this.channel = channel;
    this.frames = new Frames(channel);
    this.contextLength = contextLength;
  }

  /** Starts the reader thread; returns this. */
  ChildProcess listen() {
    Thread.ofPlatform().daemon().name("llama-child-" + process.pid()).start(this::read);
    return this;
  }

  int contextLength() {
    return contextLength;
  }

  long pid() {
    return process.pid();
  }

  /** How long it has run. */
  Duration age() {
    return Duration.ofNanos(System.nanoTime() - startedAt);
  }

  /** Since the child was last heard from (any frame). */
  Duration silence() {
    return Duration.ofNanos(System.nanoTime() - lastHeard);
  }

  /** Who is told, once, when the child ends without being stopped. */
  void onDeath(Consumer<String> c) {
    onDeath = c;
  }

  /** Calls {@code m} in the child and waits for its answer. */
  Object call(Method m, Object[] args) {
    Pending p = send(m.getName(), Wire.encode(args), Optional.empty());
    try {
      return Wire.result(m, p.answer().join());
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  /** Starts a generation in the child; throws as the engine's own {@code generate} does when it refuses it. */
  LanguageModel.Handle generate(Generation generation, TokenSink sink) {
    Pending p = send("generate", Wire.encode(new Object[] {generation}), Optional.of(sink));
    long id = p.id();
    try {
      p.answer().join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
    return () -> write(frames.object().put("cancel", id));
  }

  void ping() {
    write(frames.object().put("call", "ping"));
  }

  private Pending send(String call, JsonNode args, Optional<TokenSink> sink) {
    long id = ids.incrementAndGet();
    Pending p = new Pending(id, new CompletableFuture<>(), sink);
    pending.put(id, p);
    if (ended.get()) { // died before the put: nobody else will fail it
      pending.remove(id);
      throw gone();
    }
    try {
      frames.write(frames.object().put("id", id).put("call", call).set("args", args));
    } catch (IOException e) {
      pending.remove(id);
      throw gone();
    }
    return p;
  }

  private void write(JsonNode frame) {
    try {
      frames.write(frame);
    } catch (IOException e) {
      LOG.log(Level.FINE, "the model's process is gone", e); // the reader sees the end and reports it
    }
  }

  /** The reader: routes answers and events until the channel ends, then fails what is left. */
  private void read() {
    try {
      for (Optional<JsonNode> f = frames.read(); f.isPresent(); f = frames.read()) {
        lastHeard = System.nanoTime();
        route(f.get());
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.FINE, "the channel to a model's process ended", e);
    }
    end();
  }

  private void route(JsonNode frame) {
    Pending p = pending.get(frame.path("id").asLong());
    if (p == null) {
      return; // a pong, or a generation that has ended
    }
    if (frame.has("event")) {
      String event = frame.get("event").asText();
      if (event.equals("done") || event.equals("failed")) {
        pending.remove(p.id());
        p.answer().complete(null); // an end can overtake the generation's acceptance
      }
      Method m = Wire.method(TokenSink.class, event, frame.path("args").size());
      try {
        m.invoke(p.sink().orElseThrow(), Wire.decode(m, frame.path("args")));
      } catch (ReflectiveOperationException e) {
        LOG.log(Level.WARNING, "a token sink failed", e.getCause() == null ? e : e.getCause());
      }
    } else if (frame.has("error")) {
      pending.remove(p.id());
      p.answer().completeExceptionally(Wire.exception(frame.get("error")));
    } else {
      if (p.sink().isEmpty()) {
        pending.remove(p.id());
      }
      p.answer().complete(frame.get("result"));
    }
  }

  /** Once: waits briefly for the exit status, fails every call and generation in flight, tells the owner. */
  private void end() {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    String why = "the model's process " + ChildLaunch.ended(process);
    if (!stopping) {
      // The owner hears first, so the model shows as failed by the time a caller sees its request fail.
      output.dump(why);
      onDeath.accept(why);
    }
    for (Pending p : pending.values()) {
      pending.remove(p.id());
      KilnException failure = KilnException.unavailable(why);
      // A generation not yet accepted fails its generate() call; one accepted ends on its sink.
      if (!p.answer().completeExceptionally(failure)) {
        p.sink().ifPresent(s -> s.failed(failure));
      }
    }
    try {
      channel.close();
    } catch (IOException e) {
      LOG.log(Level.FINE, "closing a channel", e);
    }
  }

  private KilnException gone() {
    return KilnException.unavailable("the model's process has ended");
  }

  /**
   * Asks the child to end, waits up to {@code grace}, then kills it; returns once it has exited and its channel is
   * closed. What is still in flight fails with UNAVAILABLE.
   */
  void stop(Duration grace) {
    stopping = true;
    write(frames.object().put("call", "close"));
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warning("the model's process did not end within " + grace.toMillis() + " ms; killing it");
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    end();
  }

  /** Kills the child at once (a heartbeat that went unanswered); the reader then reports its end. */
  void kill() {
    process.destroyForcibly();
  }
}
