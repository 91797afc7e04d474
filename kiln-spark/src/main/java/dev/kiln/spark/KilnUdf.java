package dev.kiln.spark;

import dev.kiln.core.engine.ModelInstance;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.model.ModelSignature;
import dev.kiln.core.model.TensorSpec;
import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.StructType;

/**
 * A Kiln model version as a SQL function of one struct, whose fields are read by name as the transformer reads columns:
 * {@code SELECT churn(struct(*)) FROM customers}. One output per function; each call scores one row, so the function
 * suits SQL and lookups, and {@link KilnModelTransformer} (a batch of rows per model call) suits whole tables.
 */
public final class KilnUdf {
  private KilnUdf() {}

  /**
   * Registers {@code name} in {@code spark}'s session, resolving the version now (an alias stays pinned to the version
   * it names at registration) and checking the file on the driver.
   *
   * @param output the output the function returns; empty: the model's only output
   */
  public static void register(
      SparkSession spark, String name, ArtifactSource source, String model, String version, String output) {
    Objects.requireNonNull(spark, "spark");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(output, "output");
    VersionRef ref = new RegistryClient(Objects.requireNonNull(source, "source")).resolve(model, version);
    ModelSignature sig = LoadedModels.signature(source, ref);
    if (output.isEmpty() && sig.outputs().size() != 1) {
      throw KilnException.invalid(ref.label() + " has " + sig.outputs().size() + " outputs; name the one to return");
    }
    String out = output.isEmpty() ? sig.outputs().get(0).name() : output;
    TensorSpec t =
        sig.output(out).orElseThrow(() -> KilnException.invalid(ref.label() + " has no output '" + out + "'"));
    Binding.Output o = new Binding.Output(out, out, t.datatype(), Binding.scalar(t));
    spark.udf().register(name, new RowFunction(source, ref, out), o.sparkType());
  }

  /** The function itself: plans against the struct's schema (the same for every row of a query) and scores the row. */
  static final class RowFunction implements UDF1<Row, Object> {
    private static final long serialVersionUID = 1L;
    private final ArtifactSource source;
    private final VersionRef ref;
    private final String output;
    private transient volatile Planned planned;

    private record Planned(StructType schema, Binding binding) {}

    RowFunction(ArtifactSource source, VersionRef ref, String output) {
      this.source = source;
      this.ref = ref;
      this.output = output;
    }

    @Override
    public Object call(Row row) {
      if (row == null) {
        return null;
      }
      ModelInstance model = LoadedModels.session(source, ref);
      Planned p = planned;
      if (p == null || !p.schema().equals(row.schema())) {
        Binding b = Binding.plan(ref.label(), model.signature(), row.schema(), List.of(), List.of(output), List.of());
        p = new Planned(row.schema(), b);
        planned = p;
      }
      return Batch.score(model, p.binding(), List.of(row))[0][0];
    }
  }
}
