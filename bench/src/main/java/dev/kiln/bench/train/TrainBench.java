package dev.kiln.bench.train;

import dev.kiln.bench.MachineInfo;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The training comparison behind {@code BENCHMARKS.md}: the same MLP and CNN, on the same synthetic images, trained by
 * Kiln (in this JVM, through {@code DjlTrainingEngine}) and by PyTorch in Python ({@code train_torch.py}, a fresh
 * process per run), alternating Kiln, PyTorch, Kiln, PyTorch so that slow phases of a noisy host hit both sides.
 * Progress goes to stderr, the Markdown report to stdout.
 */
@Command(
    name = "train-bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Compare Kiln's training engine with PyTorch in Python on the same networks and data.")
public final class TrainBench implements Callable<Integer> {
  @Option(
      names = "--models",
      split = ",",
      defaultValue = "mlp,cnn",
      description = "Networks to train: mlp, cnn (default: ${DEFAULT-VALUE}).")
  List<String> models;

  @Option(
      names = "--threads",
      split = ",",
      defaultValue = "1",
      description = "Intra-op threads, the same on both sides; several values run each (default: ${DEFAULT-VALUE}).")
  List<Integer> threads;

  @Option(names = "--epochs", defaultValue = "3", description = "Epochs per run (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--batch-size", defaultValue = "32", description = "Batch size (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--learning-rate", defaultValue = "0.001", description = "Adam's rate (default: ${DEFAULT-VALUE}).")
  double learningRate;

  @Option(
      names = "--repetitions",
      defaultValue = "2",
      description = "Runs per side for each model and thread count (default: ${DEFAULT-VALUE}).")
  int repetitions;

  @Option(names = "--train", defaultValue = "12000", description = "Training images (default: ${DEFAULT-VALUE}).")
  int trainCount;

  @Option(names = "--test", defaultValue = "2000", description = "Test images (default: ${DEFAULT-VALUE}).")
  int testCount;

  @Option(
      names = "--jitter",
      defaultValue = "1.2",
      description = "Stroke end-point jitter in pixels: the data's difficulty (default: ${DEFAULT-VALUE}).")
  double jitter;

  @Option(
      names = "--noise",
      defaultValue = "0.3",
      description = "Pixel noise standard deviation (default: ${DEFAULT-VALUE}).")
  double noise;

  @Option(names = "--seed", defaultValue = "42", description = "Data and training seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--python",
      defaultValue = "/usr/bin/python3",
      description = "Python with torch, Debian's by default (default: ${DEFAULT-VALUE}).")
  String python;

  @Option(
      names = "--script",
      defaultValue = "bench/train_torch.py",
      description = "The PyTorch side (default: ${DEFAULT-VALUE}).")
  Path script;

  @Option(names = "--no-python", description = "Train only on Kiln (no PyTorch in this environment).")
  boolean noPython;

  @Option(
      names = "--work-dir",
      defaultValue = "bench/target/train-bench",
      description = "Data file and checkpoints (default: ${DEFAULT-VALUE}).")
  Path workDir;

  @Option(names = "--djl-cache", description = "Where libtorch unpacks (default: DJL_CACHE_DIR, else DJL's own).")
  Path djlCache;

  private PrintStream out = System.out;

  public static void main(String[] args) {
    System.exit(new CommandLine(new TrainBench()).execute(args));
  }

  /** The same run, printing its report to {@code out} (the smoke test reads it). */
  static int run(PrintStream out, String... args) {
    TrainBench bench = new TrainBench();
    bench.out = out;
    return new CommandLine(bench).execute(args);
  }

  @Override
  public Integer call() throws Exception {
    Files.createDirectories(workDir);
    StrokeDigits digits = StrokeDigits.generate(trainCount, testCount, seed, jitter, noise);
    Path dataFile = workDir.resolve("stroke-digits.bin");
    digits.write(dataFile);
    Settings settings = new Settings(epochs, batchSize, learningRate, seed);
    KilnSide kiln = new KilnSide(digits, Files.createTempDirectory(workDir, "kiln-"), djlCache);
    TorchSide torch = noPython ? null : new TorchSide(python, script, dataFile);
    List<Run> runs = new ArrayList<>();
    for (int t : threads) {
      for (String id : models) {
        Net net = Net.valueOf(id.toUpperCase(Locale.ROOT));
        for (int rep = 0; rep < repetitions; rep++) {
          runs.add(progress(kiln.train(net, settings, t, rep)));
          if (torch != null) {
            runs.add(progress(torch.train(net, settings, t, rep)));
          }
        }
      }
    }
    List<String> header = new ArrayList<>(MachineInfo.describe());
    header.add(
        "Kiln: "
            + kiln.engineName()
            + " (DJL 0.35.1); PyTorch: "
            + (torch == null ? "not run" : torch.torchVersion() + " via " + python));
    header.add(
        String.format(
            Locale.ROOT,
            "data: %,d train / %,d test 28x28 images, 10 classes, seed %d, "
                + "jitter %.1f px, noise %.2f; Adam lr %s, batch %d, %d epochs, %d repetition(s) per side",
            trainCount,
            testCount,
            seed,
            jitter,
            noise,
            learningRate,
            batchSize,
            epochs,
            repetitions));
    TrainReport.print(out, header, runs);
    return 0;
  }

  private static Run progress(Run r) {
    System.err.printf(
        Locale.ROOT,
        "%s %s threads=%d rep=%d epochs=%s accuracy=%.4f%n",
        r.net(),
        r.side(),
        r.threads(),
        r.repetition() + 1,
        r.epochSeconds(),
        r.accuracy());
    return r;
  }
}
