package dev.kiln.training.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.training.data.DatasetException;
import dev.kiln.training.data.DatasetPreparer;
import dev.kiln.training.data.DatasetStore;
import dev.kiln.training.data.Examples;
import dev.kiln.training.data.NgramPreprocessing;
import dev.kiln.training.data.PrepareOptions;
import dev.kiln.training.data.PreparedData;
import dev.kiln.training.data.StoredDataset;
import dev.kiln.training.data.Task;
import dev.kiln.training.data.TextOptions;
import dev.kiln.training.engine.EpochMetrics;
import dev.kiln.training.engine.NetworkPlan;
import dev.kiln.training.engine.StepProgress;
import dev.kiln.training.engine.TrainedModel;
import dev.kiln.training.engine.TrainingEngine;
import dev.kiln.training.engine.TrainingException;
import dev.kiln.training.engine.TrainingListener;
import dev.kiln.training.engine.TrainingPlan;
import dev.kiln.training.eval.ClassificationReport;
import dev.kiln.training.eval.RegressionReport;
import dev.kiln.training.export.BackgroundSample;
import dev.kiln.training.export.OnnxExporter;
import dev.kiln.training.spec.ModelSpecWriter;
import dev.kiln.training.spec.ModelType;
import dev.kiln.training.spec.ResolvedSpec;
import dev.kiln.training.spec.SpecException;
import dev.kiln.training.spec.SpecValidator;
import dev.kiln.training.spec.TrainingSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * A job's work: prepare the dataset version, record its split rows ({@link JobSplits}), train, evaluate on the held-out
 * test split, and export the model (preprocessing included) to {@code <job dir>/model.onnx}.
 */
public final class TrainingJobWork implements JobWork {
  public static final String MODEL_FILE = "model.onnx";

  /** The folder in the job's directory where the engine saves checkpoints and resumes from them. */
  static final String CHECKPOINTS = "checkpoints";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final DatasetStore datasets;
  private final JobStore jobs;
  private final TrainingEngine engine;

  public TrainingJobWork(DatasetStore datasets, JobStore jobs, TrainingEngine engine) {
    this.datasets = datasets;
    this.jobs = jobs;
    this.engine = engine;
  }

  /** The settings a request asks for: its overrides, then the spec's, then Kiln's defaults (not yet validated). */
  static TrainingSettings requested(JobRequest r) {
    TrainingSettings fromSpec = r.model().training().over(TrainingSettings.DEFAULTS);
    return HeldOut.resolve(r.training() == null ? fromSpec : r.training().over(fromSpec));
  }

  /**
   * {@link #requested} settings, validated against the prepared data: its task, and validation rows for a monitor that
   * needs them (a split column may mark none).
   */
  static TrainingSettings settings(JobRequest r, PreparedData data) {
    return settings(r, data.task(), data.validation().count());
  }

  /** {@link #settings(JobRequest, PreparedData)} from what a check keeps of the data: its task and validation rows. */
  static TrainingSettings settings(JobRequest r, Task task, int validationRows) {
    TrainingSettings s = SpecValidator.validateSettings(r.model(), requested(r), task);
    if (s.earlyStopping() != null && s.earlyStopping().monitor().startsWith("val_") && validationRows == 0) {
      throw new DatasetException(
          "training.early_stopping: monitor "
              + s.earlyStopping().monitor()
              + " needs validation rows"
              + (s.splitColumn() != null ? "; the split column '" + s.splitColumn() + "' marks none validation" : ""));
    }
    return s;
  }

  /** The dataset version a request names (or the newest), checksum verified. */
  static StoredDataset dataset(DatasetStore datasets, JobRequest r) {
    return (r.datasetVersion() == null ? datasets.latest(r.dataset()) : datasets.get(r.dataset(), r.datasetVersion()))
        .orElseThrow(() ->
            new DatasetException(
                "no dataset " + r.dataset() + (r.datasetVersion() == null ? "" : " version " + r.datasetVersion())));
  }

  /** Prepares the data the way a request asks, validating on {@code validation} when it names a dataset. */
  static PreparedData prepare(
      StoredDataset stored, Optional<StoredDataset> validation, JobRequest r, TrainingSettings base) {
    // The dataset's own text options first, then the job's preparation over them.
    PrepareOptions o =
        stored.manifest().options().prepareOptions().withSplit(base.validationSplit(), base.testSplit(), base.seed());
    if (r.model().type() == ModelType.NGRAM_CLASSIFIER || r.model().type() == ModelType.LOGISTIC_REGRESSION) {
      // Token ids mean nothing to a linear model: it reads a text as a bag of n-grams.
      o = o.withText(o.text().withFeatures(TextOptions.Features.TFIDF));
    }
    o = Preparation.read(r.preparation()).over(o).withSplitColumn(base.splitColumn());
    // Only the exact least-squares solver reads the training rows in double; no other model pays for the copy.
    o = o.withExactRows(r.model().type() == ModelType.LINEAR_REGRESSION && r.model().exact());
    PreparedData data = DatasetPreparer.prepare(stored, o, validation);
    if (r.model().type() == ModelType.NGRAM_CLASSIFIER && !(data.preprocessing() instanceof NgramPreprocessing)) {
      throw new SpecException(
          "ngram_classifier needs a text dataset (a CSV uploaded with ?text=COLUMN, or folders of .txt files);"
              + " use logistic_regression for tabular data");
    }
    return data;
  }

  @Override
  public Result run(Job job, TrainingListener listener, BooleanSupplier cancelled) throws TrainingException {
    JobRequest r = job.request();
    StoredDataset stored = dataset(datasets, r);
    // The split settings must be known before the task is: they come from the request and spec, validated
    // against the task once the data is read.
    TrainingSettings requested = requested(r);
    Optional<StoredDataset> validation = HeldOut.dataset(datasets, requested);
    PreparedData data = prepare(stored, validation, r, requested);
    TrainingSettings settings = settings(r, data);
    ResolvedSpec resolved = SpecValidator.validate(r.model(), data.inputShape(), data.task());
    Path dir = jobs.directory(job.id());
    // A job taken over from a replica that died resumes from the checkpoint that replica published.
    jobs.restore(job.id());
    // Recorded before training, so the rows can be read while the job runs and after it fails.
    JobSplits splits =
        JobSplits.of(stored.ref(), data.rows(), validation.map(StoredDataset::ref), requested.splitColumn());
    splits.write(dir);
    jobs.publish(job.id(), JobSplits.FILE);
    long start = System.nanoTime();
    TrainingListener publishing = publishing(job.id(), listener);
    try (TrainedModel model =
        engine.train(
            new TrainingPlan(resolved.spec(), settings, data, dir.resolve(CHECKPOINTS), publishing, cancelled))) {
      double seconds = (System.nanoTime() - start) / 1e9;
      float[] predictions = model.predictor().predict(data.test());
      JsonNode evaluation = evaluate(data, predictions);
      splits.withPredictions(predicted(data, predictions)).write(dir);
      jobs.publish(job.id(), JobSplits.FILE);
      Coefficients.of(resolved.spec(), data, model)
          .ifPresent(c -> ((ObjectNode) evaluation).set("coefficients", JobJson.MAPPER.valueToTree(c)));
      // Tabular jobs only: a text or image job's evaluation has no permutation_importance.
      int repeats = r.importanceRepeats() == null ? PermutationImportance.DEFAULT_REPEATS : r.importanceRepeats();
      PermutationImportance.of(data, model.predictor(), repeats, settings.seed())
          .ifPresent(p -> ((ObjectNode) evaluation).set("permutation_importance", JobJson.MAPPER.valueToTree(p)));
      NetworkPlan plan = NetworkPlan.of(resolved.spec(), data.task());
      Map<String, String> meta = new LinkedHashMap<>();
      meta.put("kiln.job", Long.toString(job.id()));
      meta.put("kiln.dataset", stored.ref().name() + "@" + stored.ref().version());
      meta.put("kiln.dataset.sha256", stored.ref().sha256());
      if (!stored.manifest().policy().isEmpty()) {
        // What the serving side needs to treat raw columns as the training data was (the key stays on the server).
        meta.put("kiln.dataset.policy", JSON.writeValueAsString(stored.manifest().policy()));
      }
      meta.put("kiln.classes", JSON.writeValueAsString(data.task().classes()));
      meta.put("kiln.spec", ModelSpecWriter.toJson(resolved.spec()));
      meta.put("kiln.engine", engine.name());
      BackgroundSample.json(data, settings.seed()).ifPresent(b -> meta.put(OnnxExporter.BACKGROUND, b));
      byte[] onnx = OnnxExporter.export(plan, model.params(), data, meta);
      Path tmp = dir.resolve(MODEL_FILE + ".tmp");
      Files.write(tmp, onnx);
      Files.move(tmp, dir.resolve(MODEL_FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      jobs.publish(job.id(), MODEL_FILE);
      Lineage lineage =
          new Lineage(
              stored.ref(),
              resolved.spec(),
              settings,
              engine.name(),
              data.inputShape(),
              data.task().classes(),
              seconds,
              model.history().size(),
              model.bestEpoch(),
              model.stoppedEarly(),
              sha256(onnx),
              onnx.length);
      return new Result(model.history(), evaluation, lineage);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the trained model of job " + job.id(), e);
    }
  }

  /** {@code listener}, and each checkpoint published as soon as it is saved, for another replica to resume from. */
  private TrainingListener publishing(long id, TrainingListener listener) {
    return new TrainingListener() {
      @Override
      public void onStep(StepProgress step) {
        listener.onStep(step);
      }

      @Override
      public void onEpoch(EpochMetrics epoch) {
        listener.onEpoch(epoch);
      }

      @Override
      public void onResumed(int fromEpoch) {
        listener.onResumed(fromEpoch);
      }

      @Override
      public void onCheckpoint(int epoch) {
        jobs.publish(id, CHECKPOINTS);
        listener.onCheckpoint(epoch);
      }
    };
  }

  /** Test-split metrics from the engine's own predictions. */
  static JsonNode evaluate(PreparedData data, float[] predictions) {
    Examples test = data.test();
    if (data.task().classification()) {
      int[] actual = new int[test.count()];
      for (int i = 0; i < actual.length; i++) {
        actual[i] = (int) test.targets()[i];
      }
      int[] predicted = classes(data, predictions);
      return JobJson.MAPPER.valueToTree(ClassificationReport.of(actual, predicted, predictions, data.task().classes()));
    }
    return JobJson.MAPPER.valueToTree(RegressionReport.of(test.targets(), predictions));
  }

  /** Each test row's predicted class (the highest score; the first of ties), as the evaluation counts it. */
  private static int[] classes(PreparedData data, float[] predictions) {
    int k = data.task().classCount();
    int[] predicted = new int[data.test().count()];
    for (int i = 0; i < predicted.length; i++) {
      int best = 0;
      for (int c = 1; c < k; c++) {
        if (predictions[i * k + c] > predictions[i * k + best]) {
          best = c;
        }
      }
      predicted[i] = best;
    }
    return predicted;
  }

  /** Each test row's prediction as {@link JobSplits#predictions()} records it: a class name, or a value. */
  static List<String> predicted(PreparedData data, float[] predictions) {
    if (data.task().classification()) {
      List<String> names = data.task().classes();
      return Arrays.stream(classes(data, predictions)).mapToObj(names::get).toList();
    }
    List<String> values = new ArrayList<>(data.test().count());
    for (int i = 0; i < data.test().count(); i++) {
      values.add(Float.toString(predictions[i]));
    }
    return values;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
