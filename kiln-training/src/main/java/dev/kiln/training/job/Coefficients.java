package dev.kiln.training.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.kiln.training.data.PreparedData;
import dev.kiln.training.data.TabularPreprocessing;
import dev.kiln.training.engine.Param;
import dev.kiln.training.engine.TrainedModel;
import dev.kiln.training.spec.ModelSpec;
import dev.kiln.training.spec.ModelType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A linear or logistic regression's weights in the raw columns' units, as scikit-learn's {@code coef_} and {@code
 * intercept_} give them for a model fitted on unscaled data: the training standardisation (or min-max scaling) that the
 * model sees is folded back, {@code w_j / scale_j}, and {@code b - sum(w_j * offset_j / scale_j)}. One-hot columns are
 * not scaled and keep their weights, named {@code column=category}.
 *
 * @param columns the inputs the weights belong to: numeric columns in CSV order, then one per category
 * @param classes logistic regression: the class each row of weights scores (one row, the second class, for a binary
 *     sigmoid model, as scikit-learn's binary {@code coef_}); absent for linear regression
 * @param weights linear regression: one weight per column; logistic: one row per entry of {@code classes}
 * @param intercept a number for linear regression, one per class for logistic
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record Coefficients(List<String> columns, List<String> classes, Object weights, Object intercept) {

  /** The coefficients of a trained linear or logistic regression on tabular data; empty for any other model. */
  static Optional<Coefficients> of(ModelSpec spec, PreparedData data, TrainedModel model) {
    if (spec.type() == ModelType.SEQUENTIAL || !(data.preprocessing() instanceof TabularPreprocessing pre)) {
      return Optional.empty();
    }
    // The exact solver's double-precision weights where there are some: the exported float ones are 1e-7 off.
    double[][] theta = model.predictor().linearWeights().orElseGet(() -> fromParams(model.params()));
    int outputs = theta.length;
    int d = theta[0].length - 1;
    List<List<Double>> rows = new ArrayList<>();
    List<Double> intercepts = new ArrayList<>();
    for (int k = 0; k < outputs; k++) {
      List<Double> w = new ArrayList<>(d);
      double b = theta[k][d];
      for (int j = 0; j < d; j++) {
        double raw = theta[k][j];
        if (j < pre.numeric().size()) {
          TabularPreprocessing.NumericFit fit = pre.numeric().get(j);
          raw /= fit.scale();
          b -= raw * fit.offset();
        }
        w.add(raw);
      }
      rows.add(w);
      intercepts.add(b);
    }
    List<String> columns = new ArrayList<>();
    pre.numeric().forEach(n -> columns.add(n.name()));
    pre.categorical().forEach(c -> c.categories().forEach(v -> columns.add(c.name() + "=" + v)));
    if (spec.type() == ModelType.LINEAR_REGRESSION) {
      return Optional.of(new Coefficients(columns, null, rows.getFirst(), intercepts.getFirst()));
    }
    List<String> classes = data.task().classes();
    return Optional.of(new Coefficients(columns, outputs == 1 ? List.of(classes.get(1)) : classes, rows, intercepts));
  }

  /** Rows of weights then intercept from a dense layer's {@code weight [outputs, d]} and {@code bias [outputs]}. */
  private static double[][] fromParams(Map<Integer, Map<String, Param>> params) {
    Param weight = params.get(0).get("weight");
    Param bias = params.get(0).get("bias");
    int outputs = (int) weight.shape()[0];
    int d = (int) weight.shape()[1];
    double[][] rows = new double[outputs][d + 1];
    for (int k = 0; k < outputs; k++) {
      for (int j = 0; j < d; j++) {
        rows[k][j] = weight.values()[k * d + j];
      }
      rows[k][d] = bias.values()[k];
    }
    return rows;
  }
}
