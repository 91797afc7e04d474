package dev.kiln.spark;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;

/**
 * A spark-submit entry point: scores a table (Parquet, or any format Spark reads) with a Kiln model version and writes
 * it with the predictions added. The API key comes from {@code KILN_API_KEY} (in the driver's and, with {@code
 * spark.executorEnv.KILN_API_KEY}, the executors' environment), never from the command line, where {@code ps} and
 * Spark's UI would show it.
 *
 * <pre>
 * spark-submit --class dev.kiln.spark.ScoreParquet ... kiln-spark.jar \
 *   --url http://kiln:8000 --model churn@production --input s3a://b/customers --output s3a://b/scored
 * </pre>
 */
public final class ScoreParquet {
  private ScoreParquet() {}

  /**
   * The command line: {@code --url --model NAME[@alias|:version] --input --output}; optional {@code --format} (default
   * parquet), {@code --outputs a,b} (default all), {@code --store}, {@code --master-key-file}, {@code --batch-size}.
   */
  record Args(
      String url,
      String model,
      String version,
      String input,
      String output,
      String format,
      String store,
      String masterKeyFile,
      List<String> outputs,
      int batchSize) {
    static Args parse(String[] argv) {
      Map<String, String> a = new HashMap<>();
      for (int i = 0; i + 1 < argv.length; i += 2) {
        if (!argv[i].startsWith("--")) {
          throw new IllegalArgumentException("expected --option value, got " + argv[i]);
        }
        a.put(argv[i].substring(2), argv[i + 1]);
      }
      if (argv.length % 2 != 0) {
        throw new IllegalArgumentException("option " + argv[argv.length - 1] + " has no value");
      }
      List<String> missing = new ArrayList<>();
      for (String k : List.of("url", "model", "input", "output")) {
        if (!a.containsKey(k)) {
          missing.add("--" + k);
        }
      }
      if (!missing.isEmpty()) {
        throw new IllegalArgumentException("missing " + String.join(", ", missing));
      }
      String m = a.get("model");
      int at = Math.max(m.indexOf('@'), m.indexOf(':'));
      return new Args(
          a.get("url"),
          at < 0 ? m : m.substring(0, at),
          at < 0 ? "latest" : m.substring(at + 1),
          a.get("input"),
          a.get("output"),
          a.getOrDefault("format", "parquet"),
          a.getOrDefault("store", ""),
          a.getOrDefault("master-key-file", ""),
          a.containsKey("outputs") ? List.of(a.get("outputs").split(",")) : List.of(),
          Integer.parseInt(a.getOrDefault("batch-size", "1024")));
    }
  }

  public static void main(String[] argv) {
    Args a = Args.parse(argv);
    SparkSession spark = SparkSession.builder().appName("kiln-score " + a.model()).getOrCreate();
    try {
      run(spark, a, Optional.ofNullable(System.getenv("KILN_API_KEY")).orElse(""));
    } finally {
      spark.stop();
    }
  }

  static void run(SparkSession spark, Args a, String apiKey) {
    new KilnModelTransformer()
        .setRegistryUrl(a.url())
        .setApiKey(apiKey)
        .setStore(a.store())
        .setMasterKeyFile(a.masterKeyFile())
        .setModel(a.model())
        .setVersion(a.version())
        .setBatchSize(a.batchSize())
        .setOutputs(a.outputs().toArray(String[]::new))
        .transform(spark.read().format(a.format()).load(a.input()))
        .write()
        .format(a.format())
        .save(a.output());
  }
}
