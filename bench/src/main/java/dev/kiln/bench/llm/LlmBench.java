package dev.kiln.bench.llm;

import dev.kiln.bench.MachineInfo;
import dev.kiln.core.llm.Generation;
import dev.kiln.core.llm.LanguageModel;
import dev.kiln.engine.llama.LlamaEngine;
import dev.kiln.engine.llama.LlamaOptions;
import dev.kiln.engine.llama.TinyLlama;
import dev.kiln.engine.llama.process.ProcessEngine;
import dev.kiln.engine.llama.process.ProcessOptions;
import dev.kiln.server.Kiln;
import dev.kiln.server.KilnConfig;
import dev.kiln.server.LlmConfig;
import dev.kiln.server.LlmIsolation;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The language-model benchmark behind {@code BENCHMARKS.md}: at each concurrency, rounds of streams started together,
 * each generating a fixed number of tokens greedily from the same prompt, on the model called in-process through {@code
 * LlamaEngine} (the limit) and through a Kiln server over HTTP Server-Sent Events, alternating in-process, Kiln,
 * in-process, Kiln so that slow phases of a noisy host hit both. Both load the same file with the same context, slots
 * and threads. A third side, {@code child-process}, calls the model through {@code ProcessEngine} directly: llama.cpp
 * in a child JVM behind a Unix-domain socket, what isolation costs without HTTP. Progress goes to stderr, the Markdown
 * report to stdout.
 *
 * <p>llama.cpp 4.2.0 leaves a non-daemon thread per loaded model, so {@link #main} ends with {@code System.exit}.
 */
@Command(
    name = "llm-bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Tokens/s and time to first token of a GGUF model, in-process and through Kiln.")
public final class LlmBench implements Callable<Integer> {
  @Option(
      names = "--concurrency",
      split = ",",
      defaultValue = "1,4,8",
      description = "Streams started together; each value is measured (default: ${DEFAULT-VALUE}).")
  List<Integer> concurrency;

  @Option(
      names = "--rounds",
      defaultValue = "5",
      description = "Measured rounds per side and concurrency " + "(default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(
      names = "--warmup",
      defaultValue = "1",
      description = "Unmeasured rounds per side before each " + "concurrency's first (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(
      names = "--tokens",
      defaultValue = "128",
      description =
          "Tokens each stream generates (max_tokens; the "
              + "tiny model practically never stops earlier) (default: ${DEFAULT-VALUE}).")
  int tokens;

  @Option(
      names = "--slots",
      defaultValue = "8",
      description = "Generations decoded together, both sides " + "(default: ${DEFAULT-VALUE}).")
  int slots;

  @Option(
      names = "--context",
      defaultValue = "512",
      description = "Tokens per slot, both sides " + "(default: ${DEFAULT-VALUE}).")
  int context;

  @Option(
      names = "--threads",
      defaultValue = "2",
      description = "llama.cpp CPU threads, both sides " + "(default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--model", description = "A GGUF file to run instead of the tiny model (nothing is downloaded).")
  Path model;

  @Option(
      names = "--prompt",
      defaultValue = "the kiln is hot and the clay is red, so we make a small blue pot",
      description = "The prompt every stream sends (default: ${DEFAULT-VALUE}).")
  String prompt;

  @Option(
      names = "--work-dir",
      defaultValue = "bench/target/llm-bench",
      description = "Where the server's model repository is written (default: ${DEFAULT-VALUE}).")
  Path workDir;

  @Option(
      names = "--kiln-isolation",
      defaultValue = "process",
      description = "Where the Kiln server runs llama.cpp: process or in-process (default: ${DEFAULT-VALUE}).")
  String kilnIsolation;

  private PrintStream out = System.out;

  public static void main(String[] args) {
    // llama.cpp's loader prints to stdout ("Extracted 'libjllama.so'..."): keep stdout for the report alone.
    PrintStream report = System.out;
    System.setOut(System.err);
    System.exit(run(report, args));
  }

  /** The same run, printing its report to {@code out} (the smoke test reads it). */
  static int run(PrintStream out, String... args) {
    LlmBench bench = new LlmBench();
    bench.out = out;
    return new CommandLine(bench).execute(args);
  }

  @Override
  public Integer call() throws Exception {
    int maxStreams = Collections.max(concurrency);
    Path file = repository(model == null ? "tiny" : "bench");
    Generation generation = new Generation(prompt, tokens, 0, 1, null, List.of());
    List<CellStats> cells = new ArrayList<>();
    List<String> header = new ArrayList<>(MachineInfo.describe());
    LlmIsolation isolation = kilnIsolation.equals("process") ? LlmIsolation.defaults() : LlmIsolation.inProcess();
    try (LanguageModel direct = new LlamaEngine(new LlamaOptions(context, slots, threads)).load(file);
        LanguageModel child =
            new ProcessEngine(new LlamaOptions(0, 1, threads), ProcessOptions.defaults()).load(file, context, slots);
        Kiln kiln =
            Kiln.start(
                KilnConfig.defaults(file.getParent().getParent().getParent(), 0, 0)
                    .withLlm(new LlmConfig(context, slots, threads).withIsolation(isolation)));
        Side inProcess = new InProcessSide(direct, generation, maxStreams);
        Side childProcess = new InProcessSide("child-process", child, generation, maxStreams);
        Side server =
            new HttpSide(
                kiln.httpPort(), file.getParent().getParent().getFileName().toString(), generation, maxStreams)) {
      header.add(
          String.format(
              Locale.ROOT,
              "model: %s (%.1f MiB); prompt %d tokens, %d tokens per stream, " + "temperature 0",
              model == null ? "TinyLlama (random weights, 2 layers, width 64)" : model.getFileName(),
              Files.size(file) / 1048576.0,
              direct.countTokens(prompt),
              tokens));
      header.add(
          String.format(
              Locale.ROOT,
              "llama.cpp (de.kherud:llama 4.2.0): %d slots, context %d per slot, "
                  + "%d threads, the same on every side; %d warm-up + %d measured rounds per side and concurrency, "
                  + "alternating in-process, child process and Kiln (llama.cpp %s)",
              slots,
              context,
              threads,
              warmup,
              rounds,
              isolation.process() ? "in a child process" : "in process"));
      for (int streams : concurrency) {
        cells.addAll(measure(streams, List.of(inProcess, childProcess, server)));
      }
      header.add("resident memory of each model's child process after the run (VmRSS): " + childRss());
    }
    LlmReport.print(out, header, cells);
    return 0;
  }

  /** Warm-up rounds, then measured rounds alternating between the sides; one cell per side. */
  private List<CellStats> measure(int streams, List<Side> sides) throws Exception {
    List<List<List<Trace>>> measured = new ArrayList<>();
    sides.forEach(s -> measured.add(new ArrayList<>()));
    for (int r = -warmup; r < rounds; r++) {
      for (int s = 0; s < sides.size(); s++) {
        List<Trace> round = sides.get(s).round(streams);
        if (r >= 0) {
          measured.get(s).add(round);
        }
        System.err.printf(
            Locale.ROOT,
            "streams=%d %s %s: %.1f tok/s, TTFT %.1f ms%n",
            streams,
            sides.get(s).name(),
            r < 0 ? "warm-up" : "round " + (r + 1),
            CellStats.of("", streams, List.of(round)).totalTokensPerSecond(),
            round.get(0).firstTokenNanos() / 1e6);
      }
    }
    List<CellStats> cells = new ArrayList<>();
    for (int s = 0; s < sides.size(); s++) {
      cells.add(CellStats.of(sides.get(s).name(), streams, measured.get(s)));
    }
    return cells;
  }

  /** VmRSS of this JVM's child processes (the models' llama.cpp processes), as {@code /proc} reports it. */
  private static String childRss() {
    List<String> out = new ArrayList<>();
    ProcessHandle.current()
        .children()
        .forEach(p -> {
          try {
            Files.readAllLines(Path.of("/proc/" + p.pid() + "/status")).stream()
                .filter(l -> l.startsWith("VmRSS:"))
                .forEach(l -> out.add(l.substring(6).trim()));
          } catch (IOException e) {
            out.add("unknown");
          }
        });
    return String.join(", ", out);
  }

  /**
   * Writes a repository with the model as {@code <name>/1/model.gguf}: the tiny model, or a hard link to {@code
   * --model} (a copy where the link cannot be made; the server does not follow symbolic links).
   */
  private Path repository(String name) throws IOException {
    Files.createDirectories(workDir);
    Path file =
        Files.createDirectories(Files.createTempDirectory(workDir, "repo-").resolve(name).resolve("1"))
            .resolve("model.gguf");
    if (model == null) {
      TinyLlama.write(file, 7);
      return file;
    }
    try {
      Files.createLink(file, model.toAbsolutePath());
    } catch (IOException | UnsupportedOperationException e) {
      System.err.println("cannot link " + model + " (" + e.getMessage() + "); copying it");
      Files.copy(model, file);
    }
    return file;
  }
}
