package dev.kiln.spark;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * A Spark ML transformer that adds a Kiln model version's outputs to a DataFrame, scoring each partition on its
 * executor in batches ({@code batchSize} rows per ONNX Runtime call). The driver resolves the version once (an alias is
 * pinned to the version it names when {@link #transform} runs) and plans the columns against the schema; each executor
 * loads and verifies the file once ({@code LoadedModels}).
 *
 * <pre>{@code
 * Dataset<Row> scored = new KilnModelTransformer()
 *     .setRegistryUrl("http://kiln:8000").setApiKey(key)
 *     .setModel("churn").setVersion("production")
 *     .transform(spark.read().parquet("s3a://bucket/customers/"));
 * }</pre>
 */
public final class KilnModelTransformer extends Transformer {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final Param<String> registryUrl;
  // Not a Param: explainParams() prints every param's value, and a key must not reach logs or notebooks.
  private String apiKey = "";
  private final Param<String> store;
  private final Param<String> masterKeyFile;
  private final Param<String> model;
  private final Param<String> version;
  private final StringArrayParam inputCols;
  private final StringArrayParam outputs;
  private final StringArrayParam outputCols;
  private final IntParam batchSize;

  public KilnModelTransformer() {
    this(Identifiable.randomUID("kilnModel"));
  }

  /** Spark's {@code copy} makes copies through this constructor. */
  public KilnModelTransformer(String uid) {
    this.uid = Objects.requireNonNull(uid, "uid");
    registryUrl = new Param<>(this, "registryUrl", "the Kiln server, e.g. http://kiln:8000");
    store =
        new Param<>(
            this,
            "store",
            "read the file from this artifact store (a folder or s3://bucket/prefix) rather than through the server");
    masterKeyFile =
        new Param<>(this, "masterKeyFile", "the master key file for the store; empty: KILN_MASTER_KEY or none");
    model = new Param<>(this, "model", "the registered model's name");
    version = new Param<>(this, "version", "a version number or an alias");
    inputCols = new StringArrayParam(this, "inputCols", "array columns per input, for models that name no columns");
    outputs = new StringArrayParam(this, "outputs", "outputs to add; empty: all");
    outputCols = new StringArrayParam(this, "outputCols", "column names for the outputs; empty: the outputs' names");
    batchSize = new IntParam(this, "batchSize", "rows per model call", ParamValidators.inRange(1, 1 << 20));
    setDefault(store, "");
    setDefault(masterKeyFile, "");
    setDefault(inputCols, new String[0]);
    setDefault(outputs, new String[0]);
    setDefault(outputCols, new String[0]);
    setDefault(batchSize, 1024);
  }

  @Override
  public String uid() {
    return uid;
  }

  // Spark finds a transformer's params through public no-argument methods that return them.
  public Param<String> registryUrl() {
    return registryUrl;
  }

  public Param<String> store() {
    return store;
  }

  public Param<String> masterKeyFile() {
    return masterKeyFile;
  }

  public Param<String> model() {
    return model;
  }

  public Param<String> version() {
    return version;
  }

  public StringArrayParam inputCols() {
    return inputCols;
  }

  public StringArrayParam outputs() {
    return outputs;
  }

  public StringArrayParam outputCols() {
    return outputCols;
  }

  public IntParam batchSize() {
    return batchSize;
  }

  public KilnModelTransformer setRegistryUrl(String v) {
    return put(registryUrl, v);
  }

  /** An API key with {@code manage} scope on the model (reading a version's file needs it); empty with auth off. */
  public KilnModelTransformer setApiKey(String v) {
    apiKey = Objects.requireNonNull(v, "apiKey");
    return this;
  }

  public KilnModelTransformer setStore(String v) {
    return put(store, v);
  }

  public KilnModelTransformer setMasterKeyFile(String v) {
    return put(masterKeyFile, v);
  }

  public KilnModelTransformer setModel(String v) {
    return put(model, v);
  }

  public KilnModelTransformer setVersion(String v) {
    return put(version, v);
  }

  public KilnModelTransformer setInputCols(String... v) {
    return put(inputCols, v.clone());
  }

  public KilnModelTransformer setOutputs(String... v) {
    return put(outputs, v.clone());
  }

  public KilnModelTransformer setOutputCols(String... v) {
    return put(outputCols, v.clone());
  }

  public KilnModelTransformer setBatchSize(int v) {
    return put(batchSize, v);
  }

  /** Where executors read the file, from the params. */
  ArtifactSource source() {
    String url = getOrDefault(registryUrl);
    String key = apiKey;
    String at = getOrDefault(store);
    return at.isEmpty()
        ? ArtifactSource.registry(url, key)
        : ArtifactSource.store(url, key, at, getOrDefault(masterKeyFile));
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    ArtifactSource source = source();
    VersionRef ref = new RegistryClient(source).resolve(getOrDefault(model), getOrDefault(version));
    StructType schema = dataset.schema();
    Binding binding = binding(source, ref, schema);
    PartitionScorer scorer = new PartitionScorer(source, ref, binding, (Integer) getOrDefault(batchSize));
    return dataset.toDF().mapPartitions(scorer, Encoders.row(binding.outputSchema(schema)));
  }

  @Override
  public StructType transformSchema(StructType schema) {
    ArtifactSource source = source();
    VersionRef ref = new RegistryClient(source).resolve(getOrDefault(model), getOrDefault(version));
    return binding(source, ref, schema).outputSchema(schema);
  }

  private Binding binding(ArtifactSource source, VersionRef ref, StructType schema) {
    return Binding.plan(
        ref.label(), LoadedModels.signature(source, ref), schema, list(inputCols), list(outputs), list(outputCols));
  }

  private List<String> list(StringArrayParam p) {
    return Arrays.asList(getOrDefault(p));
  }

  @Override
  public KilnModelTransformer copy(ParamMap extra) {
    KilnModelTransformer copy = (KilnModelTransformer) defaultCopy(extra);
    copy.apiKey = apiKey;
    return copy;
  }

  private <T> KilnModelTransformer put(Param<T> p, T value) {
    set(p, value);
    return this;
  }
}
