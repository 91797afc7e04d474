package dev.kiln.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.engine.ModelInstance;
import dev.kiln.onnx.ExampleModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Rows per second in local[2] for BENCHMARKS.md, beside the same rows through ONNX Runtime in-process without Spark.
 * Not part of the build (its name is not a test's, so Surefire leaves it out and no skipped test is counted): {@code
 * ./mvnw test -pl kiln-spark -am -Dtest=SparkThroughputMeasure -Dsurefire.failIfNoSpecifiedTests=false
 * -Dkiln.spark.bench=ROWS} runs it (1000000 for the recorded numbers).
 */
@EnabledIfSystemProperty(named = "kiln.spark.bench", matches = "[0-9]+")
class SparkThroughputMeasure extends KilnSparkFixture {
  @Test
  void rowsPerSecond() throws Exception {
    int n = Integer.parseInt(System.getProperty("kiln.spark.bench"));
    push("bench", ExampleModels.tabular());
    Path parquet = people("bench", n, 8, 23);
    ArtifactSource source = ArtifactSource.registry(url(), admin);
    KilnUdf.register(spark, "bench_score", source, "bench", "1", "score");
    read(parquet).createOrReplaceTempView("bench_people");

    for (int round = 1; round <= 3; round++) {
      long t0 = System.nanoTime();
      read(parquet).write().format("noop").mode("overwrite").save();
      double io = seconds(t0);
      for (int batch : new int[] {256, 1024, 4096}) {
        t0 = System.nanoTime();
        new KilnModelTransformer()
            .setRegistryUrl(url())
            .setApiKey(admin)
            .setModel("bench")
            .setVersion("1")
            .setOutputCols("prediction", "city_out")
            .setBatchSize(batch)
            .transform(read(parquet))
            .write()
            .format("noop")
            .mode("overwrite")
            .save();
        report(round, "transformer, batch " + batch, n, seconds(t0));
      }
      t0 = System.nanoTime();
      spark
          .sql("SELECT *, bench_score(struct(*)) AS p FROM bench_people")
          .write()
          .format("noop")
          .mode("overwrite")
          .save();
      report(round, "SQL function (a row per call)", n, seconds(t0));
      report(round, "read only (Parquet, no scoring)", n, io);
      report(round, "in-process ONNX Runtime, 1 thread, batch 1024", n, inProcess(source, parquet));
    }
  }

  /** The same rows through the same session and tensor code on one thread, without Spark's tasks and rows. */
  double inProcess(ArtifactSource source, Path parquet) {
    List<Row> rows = read(parquet).collectAsList();
    var ref = new RegistryClient(source).resolve("bench", "1");
    ModelInstance m = LoadedModels.session(source, ref);
    Binding b = Binding.plan(ref.label(), m.signature(), rows.get(0).schema(), List.of(), List.of(), List.of("p", "c"));
    long t0 = System.nanoTime();
    long scored = 0;
    Iterator<Row> it = rows.iterator();
    List<Row> batch = new ArrayList<>(1024);
    while (it.hasNext()) {
      batch.clear();
      while (batch.size() < 1024 && it.hasNext()) {
        batch.add(it.next());
      }
      scored += Batch.score(m, b, batch).length;
    }
    assertThat(scored).isEqualTo(rows.size());
    return seconds(t0);
  }

  static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  static void report(int round, String what, int n, double s) {
    System.out.printf("BENCH round %d: %-48s %,d rows in %.2f s = %,.0f rows/s%n", round, what, n, s, n / s);
  }
}
