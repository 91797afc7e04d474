package dev.kiln.training.djl;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.util.Pair;
import dev.kiln.core.tensor.DataType;
import dev.kiln.training.data.PreparedData;
import dev.kiln.training.engine.ExactFit;
import dev.kiln.training.engine.NetworkPlan;
import dev.kiln.training.engine.Param;
import dev.kiln.training.engine.TrainedModel;
import dev.kiln.training.engine.TrainingEngine;
import dev.kiln.training.engine.TrainingException;
import dev.kiln.training.engine.TrainingPlan;
import dev.kiln.training.spec.LayerSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Trains on DJL's PyTorch engine, CPU. libtorch comes from the {@code pytorch-native-cpu} jar on the class path and is
 * unpacked once into {@code DJL_CACHE_DIR}; {@code ai.djl.offline} makes DJL fail rather than download anything.
 */
public final class DjlTrainingEngine implements TrainingEngine {
  private static final Logger LOG = Logger.getLogger(DjlTrainingEngine.class.getName());
  private final Engine engine;
  private final int threads;

  /**
   * @param cacheDir where libtorch is unpacked (about 430 MB, once); null keeps DJL_CACHE_DIR or DJL's default
   * @param threads libtorch's intra-op threads for each training run; libtorch has one intra-op pool per process, so
   *     runs of engines with different counts must not overlap
   */
  public DjlTrainingEngine(Path cacheDir, int threads) {
    System.setProperty("ai.djl.offline", "true");
    if (cacheDir != null && System.getenv("DJL_CACHE_DIR") == null) {
      System.setProperty("DJL_CACHE_DIR", cacheDir.toAbsolutePath().toString());
    }
    System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    this.engine = Engine.getEngine("PyTorch");
    this.threads = threads;
  }

  @Override
  public String name() {
    return "djl-pytorch " + engine.getVersion();
  }

  @Override
  public TrainedModel train(TrainingPlan plan) throws TrainingException {
    if (ExactFit.applies(plan.spec())) {
      return ExactFit.train(plan);
    }
    PreparedData data = plan.data();
    NetworkPlan network = NetworkPlan.of(plan.spec(), data.task());
    NetworkBuilder.Network net = NetworkBuilder.build(network.layers(), data.inputShape());
    boolean tokens = data.preprocessing().outputType() == DataType.INT64;
    int classes = data.task().classCount();
    // DJL reads the thread property only when it loads libtorch, once per process: a second engine with another
    // count would silently train with the first one's.
    JniUtils.setNumThreads(threads);
    engine.setRandomSeed(plan.settings().seed().intValue());
    Model model = Model.newInstance("kiln", Device.cpu(), "PyTorch");
    boolean handedOver = false;
    // Jobs run on any thread of the job pool: the run starts from the same grad mode whatever ran there before.
    try (GradMode off = GradMode.off()) {
      model.setBlock(net.block());
      Loss loss = Losses.of(network.loss());
      Trainer trainer =
          model.newTrainer(
              new DefaultTrainingConfig(loss)
                  .optOptimizer(Optimizers.of(plan.spec().optimizer()))
                  .optInitializer(new XavierInitializer(), Parameter.Type.WEIGHT)
                  .optDevices(new Device[] {Device.cpu()}));
      trainer.initialize(new Shape(1).addAll(shapeOf(data.inputShape())));
      TargetScale scale = TargetScale.of(plan.spec(), data);
      boolean channelsLast = network.layers().getFirst() instanceof LayerSpec.Conv2D;
      Batches train =
          new Batches(scale.apply(data.train()), data.inputShape(), tokens, network.loss(), classes, channelsLast);
      Batches validation =
          new Batches(scale.apply(data.validation()), data.inputShape(), tokens, network.loss(), classes, channelsLast);
      Runnable updateWeights =
          Optimizers.direct(plan.spec().optimizer(), net.block().getParameters()).orElse(trainer::step);
      TrainingLoop loop = new TrainingLoop(plan, network, trainer, updateWeights, loss, train, validation, scale.sd());

      Optional<Checkpoint> resume = Checkpoint.read(plan.checkpoints());
      if (resume.isPresent()) {
        Checkpoint.load(plan.checkpoints().resolve(resume.get().weights()), net.block(), model.getNDManager());
      }
      TrainingLoop.Outcome outcome;
      if (resume.isPresent() && finished(resume.get(), plan)) {
        Checkpoint c = resume.get();
        outcome =
            new TrainingLoop.Outcome(c.history(), c.bestEpoch(), c.epoch() < plan.settings().epochs(), c.bestWeights());
      } else {
        outcome = loop.run(resume.orElse(null));
      }
      if (plan.settings().earlyStopping() != null && outcome.bestWeights() != null) {
        Checkpoint.load(plan.checkpoints().resolve(outcome.bestWeights()), net.block(), model.getNDManager());
      }
      scale.restore(net.parameterBlocks().get(0));
      Map<Integer, Map<String, Param>> params = params(net.parameterBlocks());
      trainer.close();
      TrainedModel result =
          new TrainedModel(
              params,
              outcome.history(),
              outcome.bestEpoch(),
              outcome.stoppedEarly(),
              new DjlPredictor(model, network.head(), data.inputShape(), tokens));
      handedOver = true;
      return result;
    } catch (IOException e) {
      LOG.log(Level.WARNING, "checkpoint failed in " + plan.checkpoints(), e);
      throw new TrainingException("saving or loading a checkpoint failed (details in the server log)", e);
    } catch (IllegalArgumentException | IllegalStateException | EngineException e) {
      LOG.log(Level.WARNING, "the engine rejected a model", e);
      throw new TrainingException("the engine rejected the model: " + firstLine(e.getMessage()), e);
    } finally {
      if (!handedOver) {
        model.close();
      }
    }
  }

  /** libtorch appends C++ stack traces to its messages; users get the first line, the log gets the rest. */
  static String firstLine(String message) {
    if (message == null) {
      return "unknown reason";
    }
    String line = message.lines().findFirst().orElse("").strip();
    return line.length() > 300 ? line.substring(0, 300) + "..." : line;
  }

  /** A checkpoint written at the end of the run (last epoch, or an early stop) needs no more training. */
  private static boolean finished(Checkpoint c, TrainingPlan plan) {
    var stopping = plan.settings().earlyStopping();
    return c.epoch() >= plan.settings().epochs() || (stopping != null && c.sinceImprovement() >= stopping.patience());
  }

  private static Map<Integer, Map<String, Param>> params(Map<Integer, Block> owners) {
    Map<Integer, Map<String, Param>> out = new LinkedHashMap<>();
    owners.forEach((layer, block) -> {
      Map<String, Param> named = new LinkedHashMap<>();
      for (Pair<String, Parameter> p : block.getParameters()) {
        NDArray a = p.getValue().getArray();
        named.put(ParamNames.canonical(p.getKey()), new Param(a.getShape().getShape(), a.toFloatArray()));
      }
      out.put(layer, named);
    });
    return out;
  }

  private static Shape shapeOf(List<Integer> dims) {
    return new Shape(dims.stream().mapToLong(Integer::longValue).toArray());
  }
}
