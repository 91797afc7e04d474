package dev.kiln.engine.llama;

import de.kherud.llama.LlamaModel;
import de.kherud.llama.LogLevel;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.args.LogFormat;
import de.kherud.llama.args.PoolingType;
import dev.kiln.core.engine.ModelLoadException;
import dev.kiln.core.llm.LanguageEngine;
import dev.kiln.core.llm.LanguageModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Loads GGUF language models with llama.cpp ({@code de.kherud:llama}, CPU). Each model gets llama.cpp's server loop
 * with {@link LlamaOptions#parallel()} slots decoded together (continuous batching).
 *
 * <p>llama.cpp 4.2.0 leaves a non-daemon thread per loaded model behind even after it is closed, and does not free the
 * model's native memory on close: a process that loaded one must end with {@code System.exit}, and reloading a model
 * repeatedly leaks it.
 */
public final class LlamaEngine implements LanguageEngine {
  private static final Logger LOG = Logger.getLogger(LlamaEngine.class.getName());

  static {
    NativeFolder.claim();
  }

  private final LlamaOptions options;

  public LlamaEngine(LlamaOptions options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  @Override
  public String modelFileName() {
    return "model.gguf";
  }

  @Override
  public String platform() {
    return "llama.cpp";
  }

  /** Loads with the given context length per slot and slot count, this engine's threads. */
  @Override
  public LanguageModel load(Path file, int contextLength, int slots) {
    return new LlamaEngine(new LlamaOptions(contextLength, slots, options.threads())).load(file);
  }

  /**
   * Checks the file's GGUF header, then loads it.
   *
   * @throws ModelLoadException with a caller-safe reason when the file is not a GGUF model llama.cpp can load
   */
  public LanguageModel load(Path file) {
    Objects.requireNonNull(file, "file");
    if (!Files.isRegularFile(file)) {
      throw new ModelLoadException("the model file is missing");
    }
    GgufFile gguf = GgufFile.read(file);
    long trained = gguf.number(gguf.architecture() + ".context_length").orElse((long) LlamaOptions.DEFAULT_CONTEXT_CAP);
    int context =
        options.contextLength() > 0
            ? options.contextLength()
            : (int) Math.min(trained, LlamaOptions.DEFAULT_CONTEXT_CAP);
    ModelParameters params =
        base(file, context * options.parallel()).setParallel(options.parallel()).disableContextShift().enableJinja();
    return new LlamaLanguageModel(
        gguf,
        open(params, gguf),
        context,
        options.parallel(),
        () -> embedder(file, context, gguf),
        () -> NativeLlama.open(file, context, options.threads()));
  }

  /**
   * A second instance of the model for embeddings: llama.cpp pools them only in a context made for that. The embedding
   * is the last token's hidden state: MEAN pooling aborts the process in llama.cpp 4.2.0 ({@code
   * GGML_ASSERT(ggml_can_mul_mat(a, b))}), and without pooling llama.cpp returns the first token's.
   */
  private LlamaModel embedder(Path file, int context, GgufFile gguf) {
    return open(base(file, context).setParallel(1).enableEmbedding().setPoolingType(PoolingType.LAST), gguf);
  }

  private ModelParameters base(Path file, int contextSize) {
    ModelParameters params =
        new ModelParameters().setModel(file.toAbsolutePath().toString()).setCtxSize(contextSize).disableLog();
    if (options.threads() > 0) {
      params.setThreads(options.threads()).setThreadsBatch(options.threads());
    }
    return params;
  }

  private static LlamaModel open(ModelParameters params, GgufFile gguf) {
    try {
      LlamaModel.setLogger(LogFormat.TEXT, LlamaEngine::log);
      return new LlamaModel(params);
    } catch (RuntimeException e) {
      // llama.cpp's message may name the file (a cache file named by its checksum): it goes to the log only.
      LOG.log(Level.WARNING, "llama.cpp refused a GGUF model", e);
      throw new ModelLoadException("llama.cpp cannot load this model (its header is valid, its contents are not)", e);
    } finally {
      // Loading runs llama.cpp's common_init, which takes the log over; take it back.
      LlamaModel.setLogger(LogFormat.TEXT, LlamaEngine::log);
    }
  }

  /** llama.cpp is chatty: everything but its errors goes to FINE. */
  private static void log(LogLevel level, String message) {
    Level jul = level == LogLevel.ERROR ? Level.WARNING : Level.FINE;
    if (LOG.isLoggable(jul)) {
      LOG.log(jul, message.stripTrailing());
    }
  }
}
