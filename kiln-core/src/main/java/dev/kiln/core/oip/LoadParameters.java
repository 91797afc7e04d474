package dev.kiln.core.oip;

import dev.kiln.core.error.KilnException;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which parameters repository load and unload accept. Triton accepts a config override and model files on load; Kiln
 * loads only what the repository holds, and silently ignoring an override would serve something other than what the
 * caller asked for, so every parameter is refused (UNSUPPORTED) except {@code unload_dependents}: accepted and without
 * effect, since Kiln has no ensembles and so no dependents.
 */
public final class LoadParameters {
  /** Accepted on load and unload, on every protocol. */
  public static final List<String> ACCEPTED = List.of("unload_dependents");

  private LoadParameters() {}

  /**
   * @param names the parameter names the request carries
   * @throws KilnException UNSUPPORTED naming the parameters that are not accepted
   */
  public static void check(Collection<String> names) {
    Set<String> refused = new TreeSet<>(names);
    refused.removeAll(ACCEPTED);
    if (!refused.isEmpty()) {
      throw KilnException.unsupported(
          "load parameters are not supported: "
              + String.join(", ", refused)
              + " (config overrides and file uploads: change the model repository instead)");
    }
  }
}
