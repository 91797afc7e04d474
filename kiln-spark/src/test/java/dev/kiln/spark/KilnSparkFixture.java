package dev.kiln.spark;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.govern.crypto.MasterKeys;
import dev.kiln.server.GovernanceConfig;
import dev.kiln.server.Kiln;
import dev.kiln.server.KilnConfig;
import dev.kiln.server.TrainingConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * One real Kiln server (auth on, artifacts encrypted under a master key) and one Spark session in local[2] mode per
 * test class, with a generated Parquet file of the tabular example model's columns.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class KilnSparkFixture {
  static final ObjectMapper JSON = new ObjectMapper();
  static final StructType PEOPLE =
      new StructType()
          .add("id", DataTypes.LongType, false)
          .add("age", DataTypes.IntegerType, false)
          .add("income", DataTypes.DoubleType, false)
          .add("height", DataTypes.FloatType, false)
          .add("city", DataTypes.StringType, false);

  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  // Made here rather than by @TempDir: the server and the session live for the whole class, from @BeforeAll.
  Path data;
  Path repo;
  Path masterKey;
  Kiln kiln;
  String admin;
  SparkSession spark;

  @BeforeAll
  void start() throws Exception {
    data = Files.createTempDirectory("kiln-spark-data");
    repo = Files.createTempDirectory("kiln-spark-repo");
    masterKey = data.resolve("master.key");
    MasterKeys.generate(masterKey);
    kiln =
        Kiln.start(
            KilnConfig.defaults(repo, 0, 0)
                .withTraining(TrainingConfig.defaults(data))
                .withGovernance(GovernanceConfig.defaults(data).withAuth(true).withMasterKey(masterKey)));
    admin = kiln.bootstrapToken().orElseThrow();
    spark =
        SparkSession.builder()
            .master("local[2]")
            .appName(getClass().getSimpleName())
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .getOrCreate();
  }

  @AfterAll
  void stop() throws IOException {
    if (spark != null) {
      spark.stop();
    }
    if (kiln != null) {
      kiln.close();
    }
    for (Path root : List.of(data, repo)) {
      try (Stream<Path> all = Files.walk(root)) {
        all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  String url() {
    return "http://127.0.0.1:" + kiln.httpPort();
  }

  /** {@code rows} seeded rows of people, written by Spark as Parquet in {@code partitions} files. */
  Path people(String name, int rows, int partitions, long seed) {
    Random r = new Random(seed);
    String[] cities = {"Lyon", "Oslo", "Kyoto", "Lima", "Perth"};
    List<Row> list = new ArrayList<>(rows);
    for (int i = 0; i < rows; i++) {
      list.add(
          RowFactory.create(
              (long) i,
              18 + r.nextInt(70),
              Math.round(r.nextDouble() * 2000) / 10.0,
              1.4f + r.nextInt(60) / 100f,
              cities[r.nextInt(cities.length)]));
    }
    Path p = data.resolve(name + ".parquet");
    spark.createDataFrame(list, PEOPLE).repartition(partitions).write().parquet(p.toString());
    return p;
  }

  Dataset<Row> read(Path parquet) {
    return spark.read().parquet(parquet.toString());
  }

  /** Pushes {@code model} as a new version of {@code name}; the registry's answer (version, sha256, artifact key). */
  JsonNode push(String name, byte[] model) throws Exception {
    HttpResponse<String> r = send("POST", "/api/v1/models/" + name + "/versions", model);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return JSON.readTree(r.body());
  }

  /** What the server's {@code POST /predict/{model}} answers for these rows, one JSON node per row. */
  List<JsonNode> served(String model, List<Row> rows, List<String> columns) throws Exception {
    var instances = JSON.createArrayNode();
    for (Row row : rows) {
      var o = instances.addObject();
      for (String c : columns) {
        o.set(c, JSON.valueToTree(row.getAs(c)));
      }
    }
    byte[] body = JSON.writeValueAsBytes(JSON.createObjectNode().set("instances", instances));
    HttpResponse<String> r = send("POST", "/predict/" + model, body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    List<JsonNode> out = new ArrayList<>();
    JSON.readTree(r.body()).path("predictions").forEach(out::add);
    return out;
  }

  HttpResponse<String> send(String method, String path, byte[] body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url() + path))
            .header("Authorization", "Bearer " + admin)
            .method(method, HttpRequest.BodyPublishers.ofByteArray(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
