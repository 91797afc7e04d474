package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.http.ApiJson;
import dev.kiln.training.job.Preparation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kiln train}: submits a training job and follows it with a progress bar. */
@Command(name = "train", description = "Train a model spec (YAML/JSON) on a dataset; shows progress until it ends.")
final class TrainCommand implements Callable<Integer> {
  @Mixin ClientOptions server;

  @Option(names = "--dataset", required = true, description = "Dataset name.")
  String dataset;

  @Option(names = "--dataset-version", description = "Dataset version (default: the newest).")
  Integer datasetVersion;

  @Option(names = "--model", required = true, description = "Model spec file (YAML or JSON).")
  Path model;

  @Option(names = "--epochs", description = "Passes over the training split (default: the spec's, else 10).")
  Integer epochs;

  @Option(names = "--batch-size", description = "Examples per step (default: the spec's, else 32).")
  Integer batchSize;

  @Option(names = "--validation-split", description = "Fraction of rows held out for validation (default: 0.1).")
  Double validationSplit;

  @Option(
      names = "--validation-dataset",
      description =
          "Validate on this dataset (NAME or NAME@VERSION, same columns) instead of a fraction of the training rows.")
  String validationDataset;

  @Option(
      names = "--split-column",
      description = "CSV column whose values (train, validation, test) assign each row's split instead of fractions.")
  String splitColumn;

  @Option(names = "--test-split", description = "Fraction of rows held out for the final test (default: 0.2).")
  Double testSplit;

  @Option(
      names = "--seed",
      description =
          "Seed of the split, shuffling and initial weights (default: 42); the " + "same seed trains the same model.")
  Long seed;

  @Option(
      names = "--scaling",
      converter = PreparationNames.Scaling.class,
      description = "Tabular features: standard (default), minmax or none.")
  String scaling;

  @Option(
      names = "--missing",
      converter = PreparationNames.Missing.class,
      description = "Missing tabular values: error (default), drop, mean, median or mode.")
  String missing;

  @Option(
      names = "--tokenizer",
      converter = PreparationNames.Tokenizer.class,
      description = "Text: auto (default: chars for Chinese, Japanese or Thai, else words), words or chars.")
  String tokenizer;

  @Option(names = "--ngrams", description = "Text, n-gram bag: the longest n-gram, 1 to 3 (default: 2).")
  Integer ngrams;

  @Option(names = "--min-count", description = "Text: tokens or n-grams seen fewer times are dropped (default: 1).")
  Integer minCount;

  @Option(names = "--max-vocabulary", description = "Text: the most frequent tokens or n-grams kept (default: 10000).")
  Integer maxVocabulary;

  @Option(
      names = "--max-length",
      description = "Text, sequence models: tokens per text (default: the 95th percentile, at most 256).")
  Integer maxLength;

  @Option(names = "--deploy", description = "Deploy the result as this model when training succeeds.")
  String deployAs;

  @Option(names = "--detach", description = "Submit and return without following the job.")
  boolean detach;

  @Override
  public Integer call() throws Exception {
    ObjectNode req =
        ApiJson.MAPPER
            .createObjectNode()
            .put("dataset", dataset)
            .put("model", Files.readString(model, StandardCharsets.UTF_8));
    if (datasetVersion != null) {
      req.put("dataset_version", datasetVersion);
    }
    ObjectNode t = req.putObject("training");
    putIf(t, "epochs", epochs);
    putIf(t, "batch_size", batchSize);
    putIf(t, "validation_split", validationSplit);
    putIf(t, "test_split", testSplit);
    putIf(t, "seed", seed);
    putIf(t, "validation_dataset", validationDataset);
    putIf(t, "split_column", splitColumn);
    ObjectNode p = req.putObject("preparation");
    putIf(p, "scaling", scaling);
    putIf(p, "missing", missing);
    putIf(p, "tokenizer", tokenizer);
    putIf(p, "ngrams", ngrams);
    putIf(p, "min_count", minCount);
    putIf(p, "max_vocabulary", maxVocabulary);
    putIf(p, "max_length", maxLength);
    Preparation.read(p); // a bad value is answered here as the server would answer it, before anything is sent
    KilnClient client = server.client();
    JsonNode job = client.post("/api/v1/jobs", ApiJson.write(req), "application/json");
    long id = job.get("id").asLong();
    System.out.println(
        "job "
            + id
            + " queued: "
            + dataset
            + " v"
            + job.at("/request/dataset_version").asInt()
            + ", "
            + model.getFileName());
    if (detach) {
      return 0;
    }
    JsonNode end = JobsCommand.follow(client, id);
    if (!end.path("state").asText().equals("SUCCEEDED")) {
      return 1;
    }
    JobsCommand.printEvaluation(end);
    if (deployAs != null) {
      DeployCommand.deploy(client, id, deployAs);
    }
    return 0;
  }

  private static void putIf(ObjectNode node, String key, Object value) {
    if (value != null) {
      node.set(key, ApiJson.MAPPER.valueToTree(value));
    }
  }
}
