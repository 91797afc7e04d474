package dev.kiln.training.djl;

import java.util.Map;

/**
 * DJL's parameter names mapped to the engine-independent ones {@link dev.kiln.training.engine.TrainedModel} documents.
 */
final class ParamNames {
  private static final Map<String, String> NAMES =
      Map.of(
          "runningMean", "running_mean",
          "runningVar", "running_var",
          // DJL's recurrent blocks follow libtorch's flat weights: layer 0, input-to-hidden and hidden-to-hidden.
          "l_0_i2h_WEIGHT", "w_ih",
          "l_0_h2h_WEIGHT", "w_hh",
          "l_0_i2h_BIAS", "b_ih",
          "l_0_h2h_BIAS", "b_hh");

  private ParamNames() {}

  static String canonical(String djlName) {
    return NAMES.getOrDefault(djlName, djlName);
  }
}
