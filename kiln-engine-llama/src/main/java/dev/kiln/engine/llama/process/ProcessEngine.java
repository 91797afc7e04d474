package dev.kiln.engine.llama.process;

import dev.kiln.core.llm.LanguageEngine;
import dev.kiln.core.llm.LanguageModel;
import dev.kiln.engine.llama.GgufCheck;
import dev.kiln.engine.llama.LlamaOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.logging.Logger;

/**
 * Loads each GGUF model into a child JVM of its own that runs the in-process engine ({@code LlamaEngine}), so that a
 * llama.cpp crash (a file that passes Kiln's checks and still makes it abort) ends only that model's process, and
 * unloading a model returns its native memory, which llama.cpp 4.2.0 never frees in process.
 *
 * <p>Kiln's GGUF checks run here, before a child starts, with the same reasons as in process. Each model gets an
 * owner-only folder ({@link ModelFolder}) holding the channel's socket and a hard link to the model file, deleted when
 * the model is closed, at JVM exit, and, for a server that was killed, at the next start.
 */
public final class ProcessEngine implements LanguageEngine {
  private static final Logger LOG = Logger.getLogger(ProcessEngine.class.getName());

  private final LlamaOptions llama;
  private final ProcessOptions options;

  /**
   * @param llama the threads each child's llama.cpp uses (context length and slots come with each load)
   */
  public ProcessEngine(LlamaOptions llama, ProcessOptions options) {
    this.llama = Objects.requireNonNull(llama, "llama");
    this.options = Objects.requireNonNull(options, "options");
    ModelFolder.sweep(options.workFolder());
  }

  @Override
  public String modelFileName() {
    return "model.gguf";
  }

  @Override
  public String platform() {
    return "llama.cpp";
  }

  @Override
  public LanguageModel load(Path file, int contextLength, int slots) {
    GgufCheck.check(file); // Kiln's checks, with their reasons, before any process starts
    boolean staged = options.staged().map(s -> file.toAbsolutePath().startsWith(s.toAbsolutePath())).orElse(false);
    ModelFolder folder = ModelFolder.create(options.workFolder(), file, staged);
    try {
      List<String> base = command(folder, contextLength, slots);
      ChildProcess first = start(base, folder);
      return new ProcessLanguageModel(first, () -> start(base, folder), options, folder::delete);
    } catch (RuntimeException e) {
      folder.delete();
      throw e;
    }
  }

  private ChildProcess start(List<String> base, ModelFolder folder) {
    return ChildLaunch.start(
        socket -> {
          List<String> c = new ArrayList<>(base);
          c.add(c.indexOf(LlamaChild.class.getName()) + 1, socket.toString());
          return c;
        },
        folder.path(),
        options.startTimeout());
  }

  /** The child's command line, all but the socket path: this JVM's java, class path and native access. */
  private List<String> command(ModelFolder folder, int contextLength, int slots) {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    return List.of(
        java,
        "-Xmx" + options.heap(),
        // A small heap needs no parallel collector; the child's work is native.
        "-XX:+UseSerialGC",
        "--enable-native-access=ALL-UNNAMED",
        // llama.cpp's library is unpacked into the model's own folder: children starting together never overwrite
        // a library another one has mapped, and it goes when the folder does.
        "-Dde.kherud.llama.tmpdir=" + folder.path(),
        "-cp",
        System.getProperty("java.class.path"),
        LlamaChild.class.getName(),
        folder.model().toString(),
        Integer.toString(contextLength),
        Integer.toString(slots),
        Integer.toString(llama.threads()));
  }

  static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      LOG.warning("could not delete " + p.getFileName() + ": " + e.getMessage());
    }
  }
}
