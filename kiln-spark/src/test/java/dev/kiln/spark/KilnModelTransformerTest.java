package dev.kiln.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.tensor.DataType;
import dev.kiln.onnx.ExampleModels;
import dev.kiln.onnx.OnnxGraphBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.apache.spark.SparkException;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * The transformer and the SQL function score a generated Parquet file in Spark local[2] as the Kiln server scores the
 * same rows, reading the model through the server or straight from the encrypted store; a tampered file is refused on
 * the executor, and a missing column is named before any task runs.
 */
class KilnModelTransformerTest extends KilnSparkFixture {
  static final List<String> COLUMNS = List.of("age", "income", "height", "city");

  /** The tabular example with other weights: a valid model, just not the registered one. */
  static byte[] decoy() {
    return new OnnxGraphBuilder("tabular")
        .input("features", DataType.FP32, -1, 3)
        .input("categories", DataType.BYTES, -1, 1)
        .output("score", DataType.FP32, -1, 1)
        .output("city", DataType.BYTES, -1, 1)
        .initializer("weights", new long[] {3, 1}, new float[] {-1, -10, -100})
        .node("MatMul", List.of("features", "weights"), List.of("score"))
        .node("Identity", List.of("categories"), List.of("city"))
        .metadata("kiln.columns", "{\"features\": [\"age\", \"income\", \"height\"], \"categories\": [\"city\"]}")
        .toBytes();
  }

  KilnModelTransformer tabular(String name) {
    return new KilnModelTransformer()
        .setRegistryUrl(url())
        .setApiKey(admin)
        .setModel(name)
        .setVersion("1")
        .setOutputCols("prediction", "city_out")
        .setBatchSize(64);
  }

  /** Each scored row's prediction against the server's answer for the same row. */
  void assertSameAsServed(String model, List<Row> scored) throws Exception {
    List<JsonNode> served = served(model, scored, COLUMNS);
    assertThat(served).hasSameSizeAs(scored);
    for (int i = 0; i < scored.size(); i++) {
      Row row = scored.get(i);
      float expected = (float) served.get(i).path("score").get(0).asDouble();
      assertThat(row.<Float>getAs("prediction")).as("row %s", row).isEqualTo(expected);
      assertThat(row.<String>getAs("city_out")).isEqualTo(served.get(i).path("city").get(0).asText());
    }
  }

  @Test
  void theTransformerScoresAParquetFileAsTheServerDoes() throws Exception {
    push("people", ExampleModels.tabular());
    KilnModelTransformer t = tabular("people");
    Dataset<Row> scored = t.transform(read(people("people", 2000, 4, 7)));
    // The key is no param: explainParams, the plan and the copy Spark makes never show it.
    assertThat(t.explainParams()).contains("model: ").doesNotContain(admin);
    assertThat(t.copy(ParamMap.empty()).source().apiKey()).isEqualTo(admin);
    assertThat(scored.queryExecution().toString()).doesNotContain(admin);

    assertThat(scored.schema().fieldNames())
        .containsExactly("id", "age", "income", "height", "city", "prediction", "city_out");
    List<Row> rows = scored.orderBy("id").collectAsList();
    assertThat(rows).hasSize(2000);
    assertSameAsServed("people", rows);
    // The model's own arithmetic, so a column read in the wrong place cannot pass as agreement.
    Row first = rows.get(0);
    assertThat((double) first.<Float>getAs("prediction"))
        .isCloseTo(
            first.<Integer>getAs("age")
                + 10 * first.getDouble(first.fieldIndex("income"))
                + 100 * first.<Float>getAs("height"),
            offset(1e-2));
  }

  @Test
  void aModelKilnTrainedScoresAsTheServerDoes() throws Exception {
    // Trained here through the API: its preprocessing (scaling, the text column's categories) is inside the ONNX file.
    StringBuilder csv = new StringBuilder("age,income,height,city,label\n");
    List<Row> rows = read(people("training", 600, 1, 37)).orderBy("id").collectAsList();
    for (Row r : rows) {
      double score =
          r.<Integer>getAs("age") / 40.0 + r.<Double>getAs("income") / 100 - ("Oslo".equals(r.getAs("city")) ? 1.5 : 0);
      csv.append(r.<Integer>getAs("age"))
          .append(',')
          .append(r.<Double>getAs("income"))
          .append(',')
          .append(r.<Float>getAs("height"))
          .append(',')
          .append(r.<String>getAs("city"))
          .append(',')
          .append(score > 2 ? "high" : "low")
          .append('\n');
    }
    var up = send("POST", "/api/v1/datasets/people_csv?label=label", csv.toString().getBytes());
    assertThat(up.statusCode()).as(up.body()).isEqualTo(201);
    var job =
        send("POST", "/api/v1/jobs", "{\"dataset\":\"people_csv\",\"model\":\"type: logistic_regression\"}".getBytes());
    assertThat(job.statusCode()).as(job.body()).isEqualTo(202);
    long id = JSON.readTree(job.body()).get("id").asLong();
    long deadline = System.nanoTime() + 180_000_000_000L;
    String state = "QUEUED";
    while (System.nanoTime() < deadline && (state.equals("QUEUED") || state.equals("RUNNING"))) {
      Thread.sleep(100);
      state = JSON.readTree(send("GET", "/api/v1/jobs/" + id, new byte[0]).body()).path("state").asText();
    }
    assertThat(state).isEqualTo("SUCCEEDED");
    var deployed = send("POST", "/api/v1/jobs/" + id + "/deploy", "{\"name\":\"trained\"}".getBytes());
    assertThat(deployed.statusCode()).as(deployed.body()).isEqualTo(201);

    KilnModelTransformer t =
        new KilnModelTransformer().setRegistryUrl(url()).setApiKey(admin).setModel("trained").setVersion("latest");
    Dataset<Row> input = read(people("trained", 400, 3, 41)).drop("id");
    Dataset<Row> result = t.transform(input);
    List<String> outputs = List.of(result.schema().fieldNames()).subList(input.schema().size(), result.schema().size());
    List<Row> scored = result.collectAsList();
    List<JsonNode> served = served("trained", scored, COLUMNS);
    assertThat(outputs).containsExactlyInAnyOrder("probabilities", "label", "class");
    assertThat(scored).extracting(r -> r.<String>getAs("class")).contains("high", "low");
    for (int i = 0; i < scored.size(); i++) {
      for (String out : outputs) {
        Object mine = scored.get(i).getAs(out);
        JsonNode theirs = outputs.size() == 1 ? served.get(i) : served.get(i).path(out);
        assertThat(
                JSON.valueToTree(
                        mine instanceof scala.collection.Seq<?> s
                            ? scala.jdk.javaapi.CollectionConverters.asJava(s)
                            : List.of(mine))
                    .toString())
            .as("%s of row %d", out, i)
            .isEqualTo(theirs.isArray() ? theirs.toString() : "[" + theirs + "]");
      }
    }
  }

  @Test
  void theStoreSourceDecryptsOnTheExecutorsAndAnAliasPinsAVersion() throws Exception {
    push("stored", ExampleModels.addSub());
    push("stored", ExampleModels.tabular());
    assertThat(send("PUT", "/api/v1/models/stored/aliases/production", "{\"version\":2}".getBytes()).statusCode())
        .isEqualTo(200);
    Dataset<Row> scored =
        tabular("stored")
            .setVersion("production")
            .setStore(data.resolve("artifacts").toString())
            .setMasterKeyFile(masterKey.toString())
            .transform(read(people("stored", 500, 3, 11)));
    assertSameAsServed("stored", scored.orderBy("id").collectAsList());
  }

  @Test
  void theSqlFunctionScoresAsTheServerDoes() throws Exception {
    push("sql_people", ExampleModels.tabular());
    KilnUdf.register(spark, "kiln_score", ArtifactSource.registry(url(), admin), "sql_people", "1", "score");
    read(people("sql", 300, 2, 13)).createOrReplaceTempView("sql_people");
    List<Row> rows =
        spark.sql("SELECT *, kiln_score(struct(*)) AS prediction FROM sql_people ORDER BY id").collectAsList();
    List<JsonNode> served = served("sql_people", rows, COLUMNS);
    for (int i = 0; i < rows.size(); i++) {
      assertThat(rows.get(i).<Float>getAs("prediction"))
          .isEqualTo((float) served.get(i).path("score").get(0).asDouble());
    }
  }

  @Test
  void aTamperedArtifactIsRefusedOnTheExecutorNamingBothChecksums() throws Exception {
    JsonNode good = push("tampered", ExampleModels.tabular());
    JsonNode other = push("decoy", decoy());
    KilnModelTransformer t =
        tabular("tampered").setStore(data.resolve("artifacts").toString()).setMasterKeyFile(masterKey.toString());
    // Planned on the driver while the file is intact; then the file under the version's key is swapped for another
    // model sealed under the same master key, so every chunk still authenticates and only the checksum tells.
    Dataset<Row> scored = t.transform(read(people("tampered", 100, 2, 17)));
    Path objects = data.resolve("artifacts").resolve("objects");
    Files.copy(
        objects.resolve(other.path("artifact").asText()),
        objects.resolve(good.path("artifact").asText()),
        StandardCopyOption.REPLACE_EXISTING);

    String actual = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(decoy()));
    assertThatThrownBy(scored::collectAsList)
        .isInstanceOf(SparkException.class)
        .hasMessageContaining("Task")
        .hasMessageContaining(
            "model 'tampered' version 1 refused: its file's SHA-256 is "
                + actual
                + " but the registry's is "
                + good.path("sha256").asText());
  }

  @Test
  void theSparkSubmitEntryPointWritesTheScoredTableWithTheLatestVersion() throws Exception {
    push("submitted", ExampleModels.addSub());
    push("submitted", ExampleModels.tabular());
    Path out = data.resolve("submitted-out.parquet");
    ScoreParquet.run(
        spark,
        ScoreParquet.Args.parse(
            new String[] {
              "--url",
              url(),
              "--model",
              "submitted",
              "--input",
              people("submitted", 200, 2, 29).toString(),
              "--output",
              out.toString(),
              "--batch-size",
              "50",
              "--outputs",
              "score"
            }),
        admin);
    List<Row> rows = read(out).orderBy("id").collectAsList();
    assertThat(rows).hasSize(200);
    List<JsonNode> served = served("submitted", rows, COLUMNS);
    for (int i = 0; i < rows.size(); i++) {
      assertThat(rows.get(i).<Float>getAs("score")).isEqualTo((float) served.get(i).path("score").get(0).asDouble());
    }
  }

  @Test
  void aModelWithoutColumnNamesReadsArrayAndVectorColumns() throws Exception {
    push("arrays", ExampleModels.addSub());
    Random r = new Random(31);
    List<Row> in = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      float[] a = new float[4];
      double[] b = new double[4];
      for (int k = 0; k < 4; k++) {
        a[k] = r.nextInt(1000) / 8f;
        b[k] = r.nextInt(1000) / 8.0;
      }
      List<Float> boxed = new ArrayList<>();
      for (float x : a) {
        boxed.add(x);
      }
      in.add(RowFactory.create((long) i, boxed, Vectors.dense(b)));
    }
    StructType schema =
        new StructType()
            .add("id", DataTypes.LongType)
            .add("left", DataTypes.createArrayType(DataTypes.FloatType))
            .add("right", SQLDataTypes.VectorType());
    List<Row> rows =
        new KilnModelTransformer()
            .setRegistryUrl(url())
            .setApiKey(admin)
            .setModel("arrays")
            .setVersion("1")
            .setInputCols("left", "right")
            .transform(spark.createDataFrame(in, schema).repartition(2))
            .orderBy("id")
            .collectAsList();

    var instances = JSON.createArrayNode();
    for (Row row : rows) {
      instances
          .addObject()
          .<ObjectNode>set("a", JSON.valueToTree(row.getList(1)))
          .set("b", JSON.valueToTree(((Vector) row.get(2)).toArray()));
    }
    var r2 =
        send("POST", "/predict/arrays", JSON.writeValueAsBytes(JSON.createObjectNode().set("instances", instances)));
    assertThat(r2.statusCode()).as(r2.body()).isEqualTo(200);
    JsonNode served = JSON.readTree(r2.body()).path("predictions");
    for (int i = 0; i < rows.size(); i++) {
      for (String out : List.of("sum", "diff")) {
        List<Float> expected = new ArrayList<>();
        served.get(i).path(out).forEach(v -> expected.add((float) v.asDouble()));
        assertThat(rows.get(i).<Float>getList(rows.get(i).fieldIndex(out)))
            .as("%s of row %d", out, i)
            .isEqualTo(expected);
      }
    }
  }

  @Test
  void aMissingColumnIsNamedBeforeAnyTaskRuns() throws Exception {
    push("partial", ExampleModels.tabular());
    Dataset<Row> noIncome = read(people("partial", 10, 1, 19)).drop("income");
    assertThatThrownBy(() -> tabular("partial").transform(noIncome))
        .isInstanceOf(KilnException.class)
        .hasMessageContaining("column 'income' is missing: model 'partial' version 1 reads it (input 'features'");
  }
}
