package dev.kiln.core.explain;

import dev.kiln.core.error.KilnException;
import dev.kiln.core.tensor.Tensor;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What to explain and how: one row of one input, as an inference request carries it, and the method's parameters.
 *
 * @param inputs the request's inputs (exactly one, one row)
 * @param method {@link Method#KERNEL_SHAP} or {@link Method#OCCLUSION}
 * @param samples most coalitions (Kernel SHAP) or patch positions (occlusion); 0 for the server's bound
 * @param background rows of the input's per-row elements; needed by Kernel SHAP, optional for occlusion (its mean is
 *     the baseline, else zeros)
 * @param targets output indices to explain; empty for all
 * @param patch occlusion's patch side in pixels
 * @param output the output explained, by name; empty for the model's first output
 */
public record ExplainRequest(
    Map<String, Tensor> inputs,
    Method method,
    int samples,
    double[][] background,
    int[] targets,
    int patch,
    String output) {
  public static final int DEFAULT_PATCH = 4;

  public ExplainRequest {
    Objects.requireNonNull(inputs, "inputs");
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(output, "output");
    inputs = Map.copyOf(inputs);
    background = background.clone();
    targets = targets.clone();
  }

  /** A request that explains the model's first output. */
  public ExplainRequest(
      Map<String, Tensor> inputs, Method method, int samples, double[][] background, int[] targets, int patch) {
    this(inputs, method, samples, background, targets, patch, "");
  }

  /** How attributions are computed. */
  public enum Method {
    KERNEL_SHAP,
    OCCLUSION;

    /** The method a parameter names; the default follows the input: occlusion for images (rank 4). */
    public static Method of(String name, Tensor input) {
      if (name.isEmpty()) {
        return input.rank() == 4 ? OCCLUSION : KERNEL_SHAP;
      }
      return switch (name.toLowerCase(Locale.ROOT)) {
        case "kernel_shap" -> KERNEL_SHAP;
        case "occlusion" -> OCCLUSION;
        default ->
            throw KilnException.invalid(
                "unknown parameters.method '" + name + "'; use \"kernel_shap\" or \"occlusion\"");
      };
    }

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
