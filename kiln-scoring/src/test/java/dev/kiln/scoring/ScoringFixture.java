package dev.kiln.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.engine.EngineOptions;
import dev.kiln.core.metrics.InferenceMetrics;
import dev.kiln.core.repository.ModelRepository;
import dev.kiln.core.serving.CoreSettings;
import dev.kiln.core.serving.InferenceCore;
import dev.kiln.engine.onnx.OnnxEngine;
import dev.kiln.govern.crypto.ArtifactCipher;
import dev.kiln.govern.crypto.ArtifactStore;
import dev.kiln.govern.store.Backend;
import dev.kiln.govern.store.TestDatabase;
import dev.kiln.onnx.ExampleModels;
import dev.kiln.training.data.DatasetOptions;
import dev.kiln.training.data.FileDatasetStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real core serving {@code tabular} ({@link ExampleModels#tabular}: {@code score = age + 10 income + 100 height}), a
 * dataset store holding {@code people} (seeded rows, with an id column and a label the model ignores), and the scoring
 * store on the database of {@link #backend}.
 */
abstract class ScoringFixture {
  static final int ROWS = 5_003;

  private final Backend backend;
  @TempDir Path tmp;
  TestDatabase db;
  ArtifactStore artifacts;
  InferenceCore core;
  FileDatasetStore datasets;
  JdbcScoringStore store;

  ScoringFixture(Backend backend) {
    this.backend = backend;
  }

  @BeforeEach
  void create() throws Exception {
    db = TestDatabase.create(backend, tmp);
    store = new JdbcScoringStore(db.open());
    artifacts = ArtifactStore.open(tmp.resolve("artifacts"), ArtifactCipher.plain());
    ExampleModels.write(tmp.resolve("models"), "tabular", 1, ExampleModels.tabular());
    core =
        new InferenceCore(
            new ModelRepository(tmp.resolve("models"), List.of(new OnnxEngine())),
            List.of(new OnnxEngine()),
            EngineOptions.defaults(),
            new InferenceMetrics(new SimpleMeterRegistry()),
            CoreSettings.defaults());
    core.start();
    datasets = new FileDatasetStore(tmp.resolve("data"));
    datasets.add(
        "people", new ByteArrayInputStream(people(ROWS).getBytes(StandardCharsets.UTF_8)), DatasetOptions.csv("label"));
  }

  @AfterEach
  void close() {
    if (core != null) {
      core.close();
    }
    if (db != null) {
      db.close();
    }
  }

  /** Seeded rows: {@code id,age,income,height,city,label}; some cities hold a comma, to be quoted in the output. */
  static String people(int rows) {
    SplittableRandom r = new SplittableRandom(15);
    StringBuilder b = new StringBuilder("id,age,income,height,city,label\n");
    String[] cities = {"Oslo", "Bergen", "\"Tromsø, north\"", "Kraków"};
    for (int i = 0; i < rows; i++) {
      b.append("p")
          .append(i)
          .append(',')
          .append(r.nextInt(18, 90))
          .append(',')
          .append(r.nextInt(0, 200) / 4.0)
          .append(',')
          .append(r.nextInt(140, 210) / 100.0)
          .append(',')
          .append(cities[r.nextInt(cities.length)])
          .append(',')
          .append(r.nextInt(2))
          .append('\n');
    }
    return b.toString();
  }

  static ScoringSettings settings() {
    return new ScoringSettings(1, Duration.ofSeconds(1), 500, 256, 4096);
  }

  ScoringWork work() {
    return new ScoringWork(datasets, core, store, artifacts, settings());
  }

  ScoringJob submit(int batch) {
    return store.create(new ScoringRequest("tabular", "people", 1, batch, "id"), "alice", ROWS);
  }

  /** The job's committed output, parts in order, as the API writes it. */
  String output(long id) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (ScoringPart p : store.parts(id)) {
      out.writeBytes(artifacts.read(p.artifact(), p.sha256()));
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  ScoringJob awaitEnd(long id) throws InterruptedException {
    return awaitEnd(id, 60);
  }

  ScoringJob awaitEnd(long id, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    while (true) {
      ScoringJob j = store.get(id).orElseThrow();
      if (j.state().finished()) {
        return j;
      }
      assertThat(System.nanoTime()).as("job " + id + " still " + j.state()).isLessThan(deadline);
      Thread.sleep(50);
    }
  }
}
