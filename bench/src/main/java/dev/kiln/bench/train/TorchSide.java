package dev.kiln.bench.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs {@code train_torch.py} in a fresh Python process per run and reads back its JSON line. */
final class TorchSide {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String python;
  private final Path script;
  private final Path dataFile;
  private String torchVersion = "unknown";

  TorchSide(String python, Path script, Path dataFile) {
    this.python = python;
    this.script = script;
    this.dataFile = dataFile;
  }

  /** As the last run's {@code torch.__version__} said (Debian's 1.13.1 calls itself 1.13.0a0). */
  String torchVersion() {
    return torchVersion;
  }

  Run train(Net net, Settings s, int threads, int repetition) throws IOException, InterruptedException {
    List<String> command =
        List.of(
            python,
            script.toString(),
            "--data",
            dataFile.toString(),
            "--model",
            net.id(),
            "--epochs",
            Integer.toString(s.epochs()),
            "--batch",
            Integer.toString(s.batchSize()),
            "--lr",
            Double.toString(s.learningRate()),
            "--eps",
            Double.toString(Net.ADAM_EPSILON),
            "--threads",
            Integer.toString(threads),
            "--seed",
            Long.toString(s.seed() + repetition));
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int rc = p.waitFor();
    if (rc != 0) {
      throw new IOException(script.getFileName() + " exited with " + rc + ": " + out);
    }
    JsonNode result = JSON.readTree(out.lines().reduce((a, b) -> b).orElse("{}"));
    torchVersion = result.path("torch").asText(torchVersion);
    if (result.path("threads").asInt() != threads) {
      throw new IOException("PyTorch ran with " + result.path("threads") + " threads, asked for " + threads);
    }
    List<Double> seconds = new ArrayList<>();
    result.path("epoch_seconds").forEach(v -> seconds.add(v.asDouble()));
    List<Double> cpu = new ArrayList<>();
    result.path("epoch_cpu_seconds").forEach(v -> cpu.add(v.asDouble()));
    return new Run(Run.Side.PYTORCH, net, threads, repetition, seconds, cpu, result.path("accuracy").asDouble());
  }

  /** Whether {@code python} can import torch at all (the smoke test skips the Python side otherwise). */
  static boolean available(String python) {
    try {
      Process p = new ProcessBuilder(python, "-c", "import torch").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
