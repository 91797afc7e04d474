package dev.kiln.core.engine;

import dev.kiln.core.model.ModelSignature;
import dev.kiln.core.tensor.Tensor;
import java.util.Map;
import java.util.Set;

/** One loaded, executable copy of a model. The core calls {@link #run} from one thread at a time per instance. */
public interface ModelInstance extends AutoCloseable {
  /** The signature read from the model file. */
  ModelSignature signature();

  /**
   * Runs the model.
   *
   * @param inputs every input of the signature, already checked against it
   * @param outputs the outputs to compute; never empty
   * @return the requested outputs, by name
   */
  Map<String, Tensor> run(Map<String, Tensor> inputs, Set<String> outputs);

  @Override
  void close();
}
