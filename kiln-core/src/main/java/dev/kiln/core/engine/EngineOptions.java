package dev.kiln.core.engine;

/**
 * Settings that engines read for every model.
 *
 * @param intraOpThreads threads one execution may use; 0 lets the engine choose. On small machines 1 is best when
 *     several instances or requests run in parallel.
 * @param useCuda run on the GPU when the engine has a CUDA build and a device is present
 * @param cudaDevice which CUDA device
 */
public record EngineOptions(int intraOpThreads, boolean useCuda, int cudaDevice) {
  public EngineOptions {
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException("intra-op threads must be >= 0");
    }
  }

  public static EngineOptions defaults() {
    return new EngineOptions(1, false, 0);
  }
}
