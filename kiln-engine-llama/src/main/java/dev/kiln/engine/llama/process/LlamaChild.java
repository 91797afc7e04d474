package dev.kiln.engine.llama.process;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.llm.Generation;
import dev.kiln.core.llm.LanguageModel;
import dev.kiln.core.llm.TokenSink;
import dev.kiln.engine.llama.LlamaEngine;
import dev.kiln.engine.llama.LlamaOptions;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The child process: connects to the parent's socket, loads one model with the in-process engine, says {@code ready}
 * (or why it could not load), then answers calls until the parent closes the channel or asks it to end, and exits. It
 * always ends with {@code System.exit}: llama.cpp leaves a non-daemon thread behind, and a parent that died (the
 * channel's end) must never leave it running.
 *
 * <p>Arguments: socket path, model file, context length, slots, threads.
 */
public final class LlamaChild {
  private static final Logger LOG = Logger.getLogger(LlamaChild.class.getName());

  private final LanguageModel model;
  private final Frames frames;
  private final Map<Long, Running> running = new ConcurrentHashMap<>();
  // Platform threads: calls block in native code, which would pin a virtual thread's carrier.
  private final ExecutorService workers =
      Executors.newCachedThreadPool(Thread.ofPlatform().daemon().name("llama-call-", 0).factory());

  private LlamaChild(LanguageModel model, Frames frames) {
    this.model = model;
    this.frames = frames;
  }

  public static void main(String[] args) {
    int status = 0;
    try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(Path.of(args[0])))) {
      Frames frames = new Frames(channel);
      Optional<LanguageModel> model = load(frames, args);
      if (model.isPresent()) {
        new LlamaChild(model.get(), frames).serve();
      } else {
        status = 2;
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "the language-model process failed", e);
      status = 1;
    }
    System.exit(status);
  }

  private static Optional<LanguageModel> load(Frames frames, String[] args) throws IOException {
    try {
      LlamaEngine engine = new LlamaEngine(new LlamaOptions(0, 1, Integer.parseInt(args[4])));
      LanguageModel m = engine.load(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
      frames.write(frames.object().put("ready", true).put("contextLength", m.contextLength()));
      return Optional.of(m);
    } catch (RuntimeException e) {
      frames.write(frames.object().set("loadFailed", Wire.error(e)));
      return Optional.empty();
    }
  }

  /** Reads calls until the parent closes the channel or says {@code close}. */
  private void serve() throws IOException {
    for (Optional<JsonNode> f = frames.read(); f.isPresent(); f = frames.read()) {
      JsonNode frame = f.get();
      String call = frame.path("call").asText();
      if (frame.has("cancel")) {
        Running r = running.get(frame.get("cancel").asLong());
        if (r != null) {
          r.cancel();
        }
      } else if (call.equals("ping")) {
        frames.write(frames.object().put("pong", true)); // answered on the reader: a heartbeat says it reads
      } else if (call.equals("close")) {
        // The parent has drained this model: nothing is left to finish or flush, so no JVM shutdown is waited for.
        Runtime.getRuntime().halt(0);
      } else {
        workers.execute(() -> answer(frame.get("id").asLong(), call, frame.path("args")));
      }
    }
  }

  private void answer(long id, String call, JsonNode args) {
    ObjectNode reply = frames.object().put("id", id);
    try {
      if (call.equals("generate")) {
        generate(id, Frames.JSON.treeToValue(args.get(0), Generation.class));
        reply.putNull("result");
      } else {
        Method m = Wire.method(LanguageModel.class, call, args.size());
        reply.set("result", Frames.JSON.valueToTree(m.invoke(model, Wire.decode(m, args))));
      }
    } catch (ReflectiveOperationException e) {
      reply.set("error", Wire.error(e.getCause() == null ? e : e.getCause()));
    } catch (IOException | RuntimeException e) {
      reply.set("error", Wire.error(e));
    }
    send(reply);
  }

  private void generate(long id, Generation generation) {
    Running r = new Running();
    running.put(id, r);
    try {
      r.started(model.generate(generation, sink(id)));
    } catch (RuntimeException e) {
      running.remove(id);
      throw e;
    }
  }

  /** Every {@link TokenSink} call as an event frame, whatever events the interface has. */
  private TokenSink sink(long id) {
    return (TokenSink)
        Proxy.newProxyInstance(
            TokenSink.class.getClassLoader(),
            new Class<?>[] {TokenSink.class},
            (proxy, method, args) -> {
              if (method.getDeclaringClass() == Object.class) {
                return method.getName().equals("equals") ? proxy == args[0] : method.invoke(this, args);
              }
              if (method.getName().equals("done") || method.getName().equals("failed")) {
                running.remove(id);
              }
              ObjectNode event = frames.object().put("id", id).put("event", method.getName());
              send(event.set("args", Wire.encode(args)));
              return null;
            });
  }

  private void send(ObjectNode frame) {
    try {
      frames.write(frame);
    } catch (IOException e) {
      LOG.log(Level.FINE, "the parent is gone", e); // the reader sees the end and the process exits
    }
  }

  /** A generation the parent may cancel, also before the engine has handed back its handle. */
  private static final class Running {
    private LanguageModel.Handle handle;
    private boolean cancelled;

    synchronized void started(LanguageModel.Handle h) {
      handle = h;
      if (cancelled) {
        h.cancel();
      }
    }

    synchronized void cancel() {
      cancelled = true;
      if (handle != null) {
        handle.cancel();
      }
    }
  }
}
