package dev.kiln.core.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.core.engine.EngineOptions;
import dev.kiln.core.engine.Gate;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.metrics.InferenceMetrics;
import dev.kiln.core.repository.ModelRepository;
import dev.kiln.core.tensor.Tensor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A core over a repository of {@link FakeEngine} models in a temporary folder, and the helpers the core's tests share:
 * requests with known answers ({@code y = x * scale + b}) and assertions on them.
 */
abstract class CoreFixture {
  @TempDir Path tmp;
  Path root;
  final FakeEngine engine = new FakeEngine();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final List<Gate> gates = new ArrayList<>();
  InferenceCore core;

  @BeforeEach
  void createRepository() throws IOException {
    root = Files.createDirectory(tmp.resolve("repo"));
  }

  @AfterEach
  void closeCore() {
    gates.forEach(Gate::open);
    if (core != null) {
      core.close();
    }
  }

  void start() {
    start(AliasResolver.NONE);
  }

  /** Starts the core with {@code aliases} resolving {@code model@alias} references. */
  void start(AliasResolver aliases) {
    core =
        new InferenceCore(
            new ModelRepository(root, List.of(engine)),
            List.of(engine),
            EngineOptions.defaults(),
            new InferenceMetrics(registry),
            new CoreSettings(Duration.ofSeconds(5), Duration.ofSeconds(5)),
            aliases);
    core.start();
  }

  Gate gate() {
    Gate g = new Gate();
    gates.add(g);
    return g;
  }

  void model(String name, long version, String content) throws IOException {
    Path dir = Files.createDirectories(root.resolve(name).resolve(Long.toString(version)));
    Files.writeString(dir.resolve(FakeEngine.FILE), content);
  }

  void config(String name, String json) throws IOException {
    Path dir = Files.createDirectories(root.resolve(name));
    Files.writeString(dir.resolve("config.json"), json);
  }

  InferenceResponse infer(String model, String version, InferenceRequest r) throws Exception {
    return send(model, version, r).get(5, TimeUnit.SECONDS);
  }

  /** The target as an adapter builds it from a reference and a version string; null: no version given. */
  Target target(String ref, String version) {
    return version == null ? core.target(ref) : core.target(ref, version);
  }

  /** A request as an adapter sends it: a target it cannot build fails the future, as a refused request does. */
  CompletableFuture<InferenceResponse> send(String ref, String version, InferenceRequest r) {
    try {
      return core.infer(target(ref, version), r);
    } catch (KilnException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Readiness as an adapter asks for it: a target it cannot build is not ready. */
  boolean ready(String ref, String version) {
    try {
      return core.modelReady(target(ref, version));
    } catch (KilnException e) {
      return false;
    }
  }

  /** {@code rows} × 4 floats {@code base + i} for x, and 0.5, 1.0, 1.5, ... for b. */
  static InferenceRequest request(int rows, float base) {
    Map<String, Tensor> inputs = new LinkedHashMap<>();
    inputs.put("x", floats(rows, 4, base));
    float[] b = new float[rows];
    for (int r = 0; r < rows; r++) {
      b[r] = 0.5f * (r + 1);
    }
    inputs.put("b", Tensor.ofFloats(new long[] {rows, 1}, b));
    return new InferenceRequest("", inputs, List.of());
  }

  static Tensor floats(int rows, int width, float base) {
    float[] v = new float[rows * width];
    for (int i = 0; i < v.length; i++) {
      v[i] = base + i;
    }
    return Tensor.ofFloats(new long[] {rows, width}, v);
  }

  static float[] expectedY(InferenceRequest r, float scale) {
    float[] x = r.inputs().get("x").floats();
    float[] b = r.inputs().get("b").floats();
    float[] y = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = x[i] * scale + b[i / 4];
    }
    return y;
  }

  static void assertServedBy(InferenceResponse out, InferenceRequest r, long version, float scale) {
    assertThat(out.version()).isEqualTo(version);
    assertThat(out.outputs()).containsOnlyKeys("y", "s");
    assertThat(out.outputs().get("y").shape()).isEqualTo(r.inputs().get("x").shape());
    assertThat(out.outputs().get("y").floats()).containsExactly(expectedY(r, scale), within(1e-3f));
  }

  static KilnException failure(CompletableFuture<?> f) {
    Throwable t = catchThrowable(() -> f.get(5, TimeUnit.SECONDS));
    assertThat(t).isInstanceOf(ExecutionException.class).cause().isInstanceOf(KilnException.class);
    return (KilnException) t.getCause();
  }

  static KilnException thrown(ThrowingCallable call) {
    Throwable t = catchThrowable(call);
    assertThat(t).isInstanceOf(KilnException.class);
    return (KilnException) t;
  }

  /** Waits (at most 5 s) for a condition another thread brings about. */
  static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within 5 s").isLessThan(until);
      Thread.sleep(1);
    }
  }

  /** Every path under {@code dir} with its size and modification time. */
  static Map<String, String> snapshot(Path dir) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        out.put(dir.relativize(p).toString(), a.size() + "@" + a.lastModifiedTime());
      }
    }
    return out;
  }

  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
