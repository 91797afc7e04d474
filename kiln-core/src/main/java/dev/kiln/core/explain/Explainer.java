package dev.kiln.core.explain;

import dev.kiln.core.error.KilnException;
import dev.kiln.core.model.ModelSignature;
import dev.kiln.core.model.TensorSpec;
import dev.kiln.core.serving.InferenceCore;
import dev.kiln.core.serving.InferenceRequest;
import dev.kiln.core.serving.InferenceResponse;
import dev.kiln.core.serving.Target;
import dev.kiln.core.tensor.DataType;
import dev.kiln.core.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Explains one prediction by calling the model through the {@link InferenceCore}, in batches no larger than the model
 * takes, so explanations are counted in the model's statistics and share its scheduler with every other request. Runs
 * synchronously: adapters call it off their network threads.
 */
public final class Explainer {
  /** Most background rows; every coalition is evaluated once per background row. */
  public static final int MAX_BACKGROUND_ROWS = 100;

  /** Rows per call for a model that batches without a declared limit. */
  private static final int CHUNK = 256;

  private final InferenceCore core;
  private final int maxSamples;

  /** An explainer with the core's bound ({@code CoreSettings.explainMaxSamples}). */
  public Explainer(InferenceCore core) {
    this(core, core.settings().explainMaxSamples());
  }

  public Explainer(InferenceCore core, int maxSamples) {
    if (maxSamples < 1) {
      throw new IllegalArgumentException("maxSamples must be >= 1, got " + maxSamples);
    }
    this.core = core;
    this.maxSamples = maxSamples;
  }

  public int maxSamples() {
    return maxSamples;
  }

  public Explanation explain(Target target, ExplainRequest req) {
    if (req.inputs().size() != 1) {
      throw KilnException.invalid("explain takes exactly one input; this request has " + req.inputs().size());
    }
    Map.Entry<String, Tensor> in = req.inputs().entrySet().iterator().next();
    Tensor x = in.getValue();
    if (x.type() != DataType.FP32) {
      throw KilnException.invalid("explain takes FP32 inputs; input '" + in.getKey() + "' is " + x.type());
    }
    if (x.rank() < 2 || x.rows() != 1) {
      throw KilnException.invalid(
          "explain takes one row: send input '" + in.getKey() + "' with shape [1, ...], got " + x.rows() + " rows");
    }
    if (x.elementCount() == 0) {
      throw KilnException.invalid("input '" + in.getKey() + "' has no elements to explain");
    }
    if (req.samples() > maxSamples) {
      throw KilnException.invalid(
          "parameters.samples " + req.samples() + " is over this server's bound of " + maxSamples);
    }
    int samples = req.samples() > 0 ? req.samples() : maxSamples;
    ModelSignature sig = core.metadata(target).signature();
    TensorSpec spec = sig.input(in.getKey()).orElse(null);
    boolean sent = req.background().length > 0;
    double[][] background = background(req, spec);
    double[] row = toDoubles(x.floats());
    Calls calls = new Calls(target, in.getKey(), output(sig, req.output()), x.shape(), chunk(target));
    List<Attribution> a =
        switch (req.method()) {
          case KERNEL_SHAP -> {
            if (background.length == 0) {
              throw KilnException.invalid(
                  "kernel_shap needs rows standing in for absent features: send parameters.background (this model"
                      + " carries none)");
            }
            yield KernelShap.explain(row, background, samples, req.targets(), calls);
          }
          case OCCLUSION ->
              Occlusion.explain(
                  row, x.shape(), baseline(background, row.length), req.patch(), samples, req.targets(), calls);
        };
    InferenceResponse last = calls.last.get();
    Explanation.Background used =
        new Explanation.Background(background.length == 0 ? "none" : sent ? "request" : "model", background.length);
    return new Explanation(
        last.model(),
        last.version(),
        req.method(),
        in.getKey(),
        x.shape(),
        calls.output,
        calls.rows,
        a,
        names(spec, row.length),
        used);
  }

  /** The request's own rows, else the rows the model carries for the input (a Kiln-trained model's training sample). */
  private static double[][] background(ExplainRequest req, TensorSpec spec) {
    boolean sent = req.background().length > 0;
    double[][] rows = sent || spec == null ? req.background() : spec.background().rows();
    if (rows.length > MAX_BACKGROUND_ROWS) {
      throw KilnException.invalid(
          "parameters.background has " + rows.length + " rows, over the bound of " + MAX_BACKGROUND_ROWS);
    }
    return rows;
  }

  /** The explained output: the one named, else the model's first; either must be FP32 (scores or values per row). */
  private static String output(ModelSignature sig, String name) {
    List<String> names = sig.outputs().stream().map(TensorSpec::name).toList();
    TensorSpec o =
        name.isEmpty() && !names.isEmpty()
            ? sig.outputs().get(0)
            : sig.output(name)
                .orElseThrow(() ->
                    KilnException.invalid(
                        "parameters.output '" + name + "' is not an output of this model; its outputs: " + names));
    if (o.datatype() != DataType.FP32) {
      throw KilnException.invalid(
          "explain needs an FP32 output; '"
              + o.name()
              + "' is "
              + o.datatype()
              + (name.isEmpty() ? " (name an FP32 one in parameters.output; outputs: " + names + ")" : ""));
    }
    return o.name();
  }

  /** The input's column names where they name each explained element (a tabular model's raw columns); else none. */
  private static List<String> names(TensorSpec spec, int elements) {
    return spec != null && spec.columns().size() == elements ? spec.columns() : List.of();
  }

  /** The background's mean, or zeros without one. */
  private static double[] baseline(double[][] background, int n) {
    double[] b = new double[n];
    for (double[] r : background) {
      if (r.length != n) {
        throw KilnException.invalid("each background row needs " + n + " values, got " + r.length);
      }
      for (int i = 0; i < n; i++) {
        b[i] += r[i] / background.length;
      }
    }
    return b;
  }

  private int chunk(Target target) {
    int max = core.config(target.model()).batching().maxBatchSize();
    if (max > 0) {
      return max;
    }
    long[] dims = core.metadata(target).signature().inputs().get(0).shape();
    return dims.length > 0 && dims[0] < 0 ? CHUNK : 1;
  }

  private static double[] toDoubles(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  /** The model as a function of rows, each call one core request of at most {@code chunk} rows. */
  private final class Calls implements BatchModel {
    final Target target;
    final String input;
    final String output;
    final long[] shape;
    final int chunk;
    final AtomicReference<InferenceResponse> last = new AtomicReference<>();
    long rows;

    Calls(Target target, String input, String output, long[] shape, int chunk) {
      this.target = target;
      this.input = input;
      this.output = output;
      this.shape = shape;
      this.chunk = chunk;
    }

    @Override
    public double[][] apply(double[][] in) {
      double[][] out = new double[in.length][];
      int per = in[0].length;
      for (int from = 0; from < in.length; from += chunk) {
        int n = Math.min(chunk, in.length - from);
        float[] data = new float[n * per];
        for (int r = 0; r < n; r++) {
          for (int i = 0; i < per; i++) {
            data[r * per + i] = (float) in[from + r][i];
          }
        }
        long[] s = shape.clone();
        s[0] = n;
        InferenceResponse resp = call(Map.of(input, Tensor.ofFloats(s, data)));
        Tensor y = resp.outputs().get(output);
        if (y == null || y.type() != DataType.FP32) {
          throw KilnException.invalid("explain needs an FP32 output '" + output + "'; the model gave none");
        }
        float[] v = y.floats();
        int k = v.length / n;
        for (int r = 0; r < n; r++) {
          out[from + r] = new double[k];
          for (int i = 0; i < k; i++) {
            out[from + r][i] = v[r * k + i];
          }
        }
        rows += n;
        last.set(resp);
      }
      return out;
    }

    private InferenceResponse call(Map<String, Tensor> inputs) {
      try {
        return core.infer(target, new InferenceRequest("", inputs, List.of(output))).join();
      } catch (CompletionException e) {
        throw KilnException.from(e.getCause());
      }
    }
  }
}
