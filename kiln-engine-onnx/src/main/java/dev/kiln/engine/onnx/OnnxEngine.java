package dev.kiln.engine.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.kiln.core.engine.Engine;
import dev.kiln.core.engine.EngineOptions;
import dev.kiln.core.engine.ModelArtifact;
import dev.kiln.core.engine.ModelInstance;
import dev.kiln.core.engine.ModelLoadException;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Loads {@code model.onnx} files into ONNX Runtime sessions. */
public final class OnnxEngine implements Engine {
  public static final String PLATFORM = "onnxruntime_onnx";
  private static final Logger LOG = Logger.getLogger(OnnxEngine.class.getName());

  private final OrtEnvironment env = OrtEnvironment.getEnvironment();

  @Override
  public String platform() {
    return PLATFORM;
  }

  @Override
  public String modelFileName() {
    return "model.onnx";
  }

  @Override
  public ModelInstance load(ModelArtifact artifact) {
    EngineOptions o = artifact.options();
    try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
      opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      if (o.intraOpThreads() > 0) {
        opts.setIntraOpNumThreads(o.intraOpThreads());
      }
      // Kiln runs instances in parallel itself; ORT's inter-op pool would only compete with them.
      opts.setInterOpNumThreads(1);
      opts.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      if (o.useCuda()) {
        try {
          opts.addCUDA(o.cudaDevice());
        } catch (OrtException | RuntimeException e) {
          throw new ModelLoadException("CUDA was requested but this ONNX Runtime build has no CUDA provider "
              + "(use the onnxruntime_gpu artifact on a machine with a GPU)", e);
        }
      }
      // Stored artifacts are decrypted into memory only; plain files are opened by path (ORT maps them itself).
      OrtSession session = artifact.contents() != null ? env.createSession(artifact.contents().read(), opts)
          : env.createSession(artifact.file().toString(), opts);
      try {
        return new OnnxInstance(env, session);
      } catch (RuntimeException e) {
        session.close();
        throw e;
      }
    } catch (OrtException e) {
      LOG.log(Level.FINE, "ONNX Runtime refused " + artifact.name() + " v" + artifact.version(), e);
      throw new ModelLoadException("not a valid ONNX model: " + firstLine(e.getMessage()), e);
    }
  }

  /** ORT messages may name the file; keep the part after the last path-bearing prefix short and path-free. */
  private static String firstLine(String m) {
    if (m == null) {
      return "unknown error";
    }
    String line = m.lines().findFirst().orElse(m);
    line = line.replaceAll("(/[^\\s:'\"]+)+", "<file>");
    return line.length() > 200 ? line.substring(0, 200) : line;
  }
}
