package dev.kiln.engine.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.kiln.core.engine.Engine;
import dev.kiln.core.engine.EngineOptions;
import dev.kiln.core.engine.ModelArtifact;
import dev.kiln.core.engine.ModelInstance;
import dev.kiln.core.engine.ModelLoadException;
import java.util.Locale;
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
          throw new ModelLoadException(
              "CUDA was requested but this ONNX Runtime build has no CUDA provider "
                  + "(use the onnxruntime_gpu artifact on a machine with a GPU)",
              e);
        }
      }
      // Stored artifacts are decrypted into memory only; plain files are opened by path (ORT maps them itself).
      OrtSession session =
          artifact.contents().isPresent()
              ? env.createSession(artifact.contents().get().read(), opts)
              : env.createSession(artifact.file().toString(), opts);
      try {
        return new OnnxInstance(env, session);
      } catch (RuntimeException e) {
        session.close();
        throw e;
      }
    } catch (OrtException e) {
      // ORT's text names its own source files and lines (tensorprotoutils.cc:426) and sometimes paths: it goes
      // to the log; the caller gets a reason Kiln writes from the error code.
      LOG.log(
          Level.WARNING,
          "ONNX Runtime refused " + artifact.name() + " v" + artifact.version() + ": " + e.getMessage(),
          e);
      throw new ModelLoadException("not a valid ONNX model: " + reason(e), e);
    }
  }

  /**
   * What an ORT load error means for the person who pushed the file, in Kiln's words: chosen from the error code and,
   * for the two failures hostile files cause most, from what ORT's message is about.
   */
  static String reason(OrtException e) {
    String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
    // Checked first: ORT's message for an oversized initializer suggests external data too.
    if (m.contains("initializer") && (m.contains("size") || m.contains("mismatch"))) {
      return "an initializer's data does not match its declared shape (or is larger than ONNX allows)";
    }
    if (m.contains("external data")) {
      return "its external data is missing or lies outside the model's folder (a pushed model must hold all "
          + "its data)";
    }
    return switch (e.getCode() == null ? OrtException.OrtErrorCode.ORT_FAIL : e.getCode()) {
      case ORT_INVALID_PROTOBUF -> "the file does not parse as an ONNX protobuf (not a model, or truncated)";
      case ORT_INVALID_GRAPH ->
          "its graph fails ONNX Runtime's checks (types, shapes, operator arguments or " + "tensor data)";
      case ORT_NOT_IMPLEMENTED -> "it uses an operator or data type this ONNX Runtime does not implement";
      case ORT_NO_SUCHFILE -> "it refers to external data that is not there or not allowed";
      case ORT_NO_MODEL -> "the file holds no model";
      default -> "ONNX Runtime could not load it (its tensors or graph are malformed)";
    };
  }
}
