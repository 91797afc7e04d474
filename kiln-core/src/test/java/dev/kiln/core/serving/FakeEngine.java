package dev.kiln.core.serving;

import dev.kiln.core.engine.Engine;
import dev.kiln.core.engine.Gate;
import dev.kiln.core.engine.ModelArtifact;
import dev.kiln.core.engine.ModelInstance;
import dev.kiln.core.engine.ModelLoadException;
import dev.kiln.core.model.ModelSignature;
import dev.kiln.core.model.TensorSpec;
import dev.kiln.core.tensor.DataType;
import dev.kiln.core.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An engine for {@code model.fake} files whose content decides what the loaded model does:
 *
 * <ul>
 *   <li>{@code fail}: loading throws {@code ModelLoadException("bad file")};
 *   <li>{@code fail-run}: loads, but every execution throws (so warmup fails);
 *   <li>{@code scale=<f>}: a model computing {@code y = x * f + b} and {@code s} = the row sums of {@code y}; anything
 *       else means {@code scale=1}.
 * </ul>
 *
 * <p>Signature: inputs {@code x FP32 [-1, 4]}, {@code b FP32 [-1, 1]}; outputs {@code y FP32 [-1, 4]}, {@code s FP32
 * [-1, 1]}. A NaN in {@code x} makes the execution throw. It records every file it loaded and every instance it made.
 */
final class FakeEngine implements Engine {
  static final String PLATFORM = "fake";
  static final String FILE = "model.fake";
  static final ModelSignature SIGNATURE =
      new ModelSignature(
          List.of(
              new TensorSpec("x", DataType.FP32, new long[] {-1, 4}),
              new TensorSpec("b", DataType.FP32, new long[] {-1, 1})),
          List.of(
              new TensorSpec("y", DataType.FP32, new long[] {-1, 4}),
              new TensorSpec("s", DataType.FP32, new long[] {-1, 1})));

  final ConcurrentLinkedQueue<Path> loadedFiles = new ConcurrentLinkedQueue<>();
  final ConcurrentLinkedQueue<Instance> instances = new ConcurrentLinkedQueue<>();
  final AtomicInteger runs = new AtomicInteger();
  private volatile Gate gate;

  @Override
  public String platform() {
    return PLATFORM;
  }

  @Override
  public String modelFileName() {
    return FILE;
  }

  /** From now on every execution of every instance waits at {@code gate}. */
  void blockAt(Gate gate) {
    this.gate = gate;
  }

  /** Versions of {@code model} loaded so far, in load order (one entry per instance). */
  List<Long> loadedVersions(String model) {
    return instances.stream().filter(i -> i.model.equals(model)).map(i -> i.version).toList();
  }

  @Override
  public ModelInstance load(ModelArtifact artifact) {
    String content;
    try {
      content = Files.readString(artifact.file()).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    loadedFiles.add(artifact.file());
    if (content.equals("fail")) {
      throw new ModelLoadException("bad file");
    }
    float scale = content.startsWith("scale=") ? Float.parseFloat(content.substring(6)) : 1;
    Instance i = new Instance(artifact.name(), artifact.version(), scale, content.equals("fail-run"));
    instances.add(i);
    return i;
  }

  final class Instance implements ModelInstance {
    final String model;
    final long version;
    final AtomicInteger closes = new AtomicInteger();
    private final float scale;
    private final boolean failRun;

    Instance(String model, long version, float scale, boolean failRun) {
      this.model = model;
      this.version = version;
      this.scale = scale;
      this.failRun = failRun;
    }

    @Override
    public ModelSignature signature() {
      return SIGNATURE;
    }

    @Override
    public Map<String, Tensor> run(Map<String, Tensor> inputs, Set<String> outputs) {
      if (closes.get() > 0) {
        throw new IllegalStateException("run after close");
      }
      runs.incrementAndGet();
      Gate g = gate;
      if (g != null) {
        g.pass();
      }
      if (failRun) {
        throw new IllegalStateException("engine exploded");
      }
      long rows = inputs.get("x").shape()[0];
      float[] x = inputs.get("x").floats();
      float[] b = inputs.get("b").floats();
      float[] y = new float[x.length];
      float[] s = new float[b.length];
      for (int i = 0; i < x.length; i++) {
        if (Float.isNaN(x[i])) {
          throw new IllegalStateException("NaN input");
        }
        y[i] = x[i] * scale + b[i / 4];
        s[i / 4] += y[i];
      }
      Map<String, Tensor> out = new LinkedHashMap<>();
      if (outputs.contains("y")) {
        out.put("y", Tensor.ofFloats(new long[] {rows, 4}, y));
      }
      if (outputs.contains("s")) {
        out.put("s", Tensor.ofFloats(new long[] {rows, 1}, s));
      }
      return out;
    }

    @Override
    public void close() {
      closes.incrementAndGet();
    }
  }
}
