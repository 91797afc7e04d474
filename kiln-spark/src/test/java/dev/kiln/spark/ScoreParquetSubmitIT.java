package dev.kiln.spark;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.onnx.ExampleModels;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.launcher.JavaModuleOptions;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * The README's spark-submit command, run as spark-submit runs it: Spark's launcher class in a child JVM whose class
 * path holds Spark's jars only, with Kiln reaching it solely through {@code --jars} (every jar in target/lib, as the
 * README lists them) and the application jar. A class target/lib lacks, or one it carries that clashes with Spark's,
 * fails here rather than on a user's cluster. Runs in the integration-test phase (pom), after package has built both.
 */
class ScoreParquetSubmitIT extends KilnSparkFixture {
  static final Path TARGET = Path.of("target");
  // Kiln's governance database stack: on Kiln's compile class path, kept out of target/lib (executors never open the
  // database) and shipped by no Spark distribution, so the child must not see it either.
  static final List<String> NOT_SPARKS = List.of("/org/postgresql/", "/org/flywaydb/", "/com/zaxxer/", "/sqlite-jdbc/");

  @Test
  void spark_submitScoresAParquetFileWithTheReadmesJarsAsTheServerDoes() throws Exception {
    push("submitted", ExampleModels.tabular());
    assertThat(send("PUT", "/api/v1/models/submitted/aliases/production", "{\"version\":1}".getBytes()).statusCode())
        .isEqualTo(200);
    Path input = people("submit-in", 1500, 3, 23);
    Path output = data.resolve("submit-out.parquet");

    List<String> lib = readmeJars();
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    // What spark-submit's launcher puts on every Spark JVM's command line (README: no flags of the user's own).
    command.addAll(Arrays.asList(JavaModuleOptions.defaultModuleOptionArray()));
    command.addAll(
        List.of(
            "-Xmx1g",
            "org.apache.spark.deploy.SparkSubmit",
            "--master",
            "local[2]",
            "--conf",
            "spark.ui.enabled=false",
            "--jars",
            TARGET.resolve("lib").toAbsolutePath() + "/*.jar",
            "--class",
            "dev.kiln.spark.ScoreParquet",
            applicationJar().toString(),
            "--url",
            url(),
            "--model",
            "submitted@production",
            "--input",
            input.toString(),
            "--output",
            output.toString(),
            "--outputs",
            "score"));
    Path log = Files.createDirectories(TARGET.resolve("spark-submit")).resolve("submit.log");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    // Not -cp: ONNX Runtime 1.29's native library kills a JVM whose command line passes 4 KiB (SIGSEGV at load, no
    // hs_err file), and ~200 jars spelled out would. spark-class keeps it short the same way, with jars/*.
    pb.environment().put("CLASSPATH", String.join(File.pathSeparator, sparkClassPath(lib)));
    pb.environment().put("KILN_API_KEY", admin);
    assertThat(String.join(" ", command)).hasSizeLessThan(4096);
    Process p = pb.start();
    boolean done = p.waitFor(3, TimeUnit.MINUTES);
    if (!done) {
      p.destroyForcibly();
    }
    assertThat(done ? p.exitValue() : -1)
        .as("spark-submit's exit (-1: timed out; log %s):%n%s", log, tail(log))
        .isZero();

    List<Row> rows = read(output).orderBy("id").collectAsList();
    assertThat(rows).hasSize(1500);
    assertThat(rows.get(0).schema().fieldNames()).containsExactly("id", "age", "income", "height", "city", "score");
    List<JsonNode> served = served("submitted", rows, KilnModelTransformerTest.COLUMNS);
    for (int i = 0; i < rows.size(); i++) {
      assertThat(rows.get(i).<Float>getAs("score"))
          .as("row %s", rows.get(i))
          .isEqualTo((float) served.get(i).path("score").get(0).asDouble());
    }
  }

  /** What the README's {@code --jars 'kiln-spark/target/lib/*.jar'} names (Spark expands the glob): every jar there. */
  static List<String> readmeJars() throws Exception {
    Path lib = TARGET.resolve("lib");
    assertThat(lib).as("target/lib is built by package; run this in the integration-test phase").isDirectory();
    try (Stream<Path> jars = Files.list(lib)) {
      return jars.filter(j -> j.toString().endsWith(".jar")).map(j -> j.toAbsolutePath().toString()).sorted().toList();
    }
  }

  static Path applicationJar() throws Exception {
    try (Stream<Path> jars = Files.list(TARGET)) {
      return jars.filter(j -> j.getFileName().toString().matches("kiln-spark-.*\\.jar")).findFirst().orElseThrow();
    }
  }

  /**
   * Spark's jars: kiln-spark's compile class path (its own and Spark's provided jars, written by the pom's
   * build-classpath execution; test-only jars such as kiln-server's are not on it) with Spark's Netty (which Maven
   * files under test scope, see the pom), less Kiln's modules, less what target/lib carries, less Kiln's database
   * stack. What remains is Spark with the jars Kiln expects from it (SLF4J, Jackson, Netty); here in the versions the
   * build manages, on a cluster in Spark's.
   */
  static List<String> sparkClassPath(List<String> lib) throws Exception {
    Set<String> shipped = lib.stream().map(j -> Path.of(j).getFileName().toString()).collect(Collectors.toSet());
    Path lists = TARGET.resolve("spark-submit");
    String cp = Files.readString(lists.resolve("classpath.txt")).strip();
    String netty = Files.readString(lists.resolve("netty.txt")).strip();
    List<String> spark = new ArrayList<>();
    for (String entry : Stream.of(cp, netty).flatMap(l -> Stream.of(l.split(File.pathSeparator))).distinct().toList()) {
      String name = Path.of(entry).getFileName().toString();
      // A directory is a reactor module's classes (Maven resolves siblings so before package): Kiln's too.
      boolean kiln = entry.contains("/dev/kiln/") || name.startsWith("kiln-") || Files.isDirectory(Path.of(entry));
      if (!kiln && !shipped.contains(name) && NOT_SPARKS.stream().noneMatch(entry::contains)) {
        spark.add(entry);
      }
    }
    assertThat(spark).anyMatch(e -> e.contains("spark-core_2.13"));
    return spark;
  }

  static String tail(Path log) throws Exception {
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
  }
}
