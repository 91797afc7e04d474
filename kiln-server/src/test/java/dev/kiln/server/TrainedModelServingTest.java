package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.onnx.ExampleModels;
import dev.kiln.protocol.grpc.proto.GRPCInferenceServiceGrpc;
import dev.kiln.protocol.grpc.proto.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import dev.kiln.protocol.grpc.proto.InferTensorContents;
import dev.kiln.protocol.grpc.proto.ModelInferRequest;
import dev.kiln.protocol.grpc.proto.ModelInferRequest.InferInputTensor;
import dev.kiln.protocol.grpc.proto.ModelInferRequest.InferRequestedOutputTensor;
import dev.kiln.protocol.grpc.proto.ModelMetadataRequest;
import dev.kiln.training.data.DatasetOptions;
import dev.kiln.training.data.DatasetPreparer;
import dev.kiln.training.data.Examples;
import dev.kiln.training.data.FileDatasetStore;
import dev.kiln.training.data.PrepareOptions;
import dev.kiln.training.data.PreparedData;
import dev.kiln.training.data.SampleData;
import dev.kiln.training.data.TabularPreprocessing;
import dev.kiln.training.djl.DjlTrainingEngine;
import dev.kiln.training.engine.NetworkPlan;
import dev.kiln.training.engine.TrainedModel;
import dev.kiln.training.engine.TrainingListener;
import dev.kiln.training.engine.TrainingPlan;
import dev.kiln.training.export.OnnxExporter;
import dev.kiln.training.spec.ModelSpec;
import dev.kiln.training.spec.ModelSpecReader;
import dev.kiln.training.spec.SpecValidator;
import dev.kiln.training.spec.TrainingSettings;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Train, export, deploy, infer over REST: the served model, fed raw CSV rows, answers exactly what the training engine
 * answers for the same rows after the fitted preprocessing.
 */
class TrainedModelServingTest {
  @TempDir Path data;
  @TempDir Path repo;

  @Test
  void restPredictionsOnRawRowsEqualTheTrainingEngines() throws Exception {
    Path csv = SampleData.digitsCsv(Files.createDirectories(data.resolve("in")));
    var stored = new FileDatasetStore(data).add("digits", csv, DatasetOptions.csv("digit"));
    PreparedData prepared =
        DatasetPreparer.prepare(
            new FileDatasetStore(data).get("digits", stored.version()).orElseThrow(),
            PrepareOptions.defaults().withScaling(dev.kiln.training.data.Scaling.STANDARD));
    ModelSpec spec =
        SpecValidator.validate(
                ModelSpecReader.read(
                    """
                    layers:
                      - {type: dense, units: 32, activation: relu}
                      - {type: batch_normalization}
                      - {type: dense, units: 10, activation: softmax}
                    optimizer: {name: adam, learning_rate: 0.01}
                    """),
                prepared.inputShape(),
                prepared.task())
            .spec();
    TrainingSettings settings = new TrainingSettings(4, 32, 0.1, 0.2, 1L, null, 1);
    List<String> lines = TrainingApiTest.DIGITS_CSV.lines().toList().subList(1, 41); // 40 raw rows
    DjlTrainingEngine engine =
        new DjlTrainingEngine(Path.of(System.getProperty("user.home"), ".cache", "kiln", "djl"), 1);
    try (TrainedModel model =
        engine.train(
            new TrainingPlan(spec, settings, prepared, data.resolve("ckpt"), TrainingListener.NONE, () -> false))) {
      ExampleModels.write(
          repo,
          "digits",
          1,
          OnnxExporter.export(NetworkPlan.of(spec, prepared.task()), model.params(), prepared, Map.of()));

      TabularPreprocessing pre = (TabularPreprocessing) prepared.preprocessing();
      float[] features = new float[lines.size() * 64];
      StringBuilder raw = new StringBuilder();
      for (int i = 0; i < lines.size(); i++) {
        String[] cells = lines.get(i).split(",");
        double[] numbers = new double[64];
        for (int c = 0; c < 64; c++) {
          numbers[c] = Double.parseDouble(cells[c]);
          raw.append(raw.isEmpty() ? "" : ",").append(cells[c]);
        }
        pre.apply(numbers, new String[0], features, i * 64);
      }
      float[] expected = model.predictor().predict(new Examples(features, new float[lines.size()], lines.size()));

      try (Kiln kiln = Kiln.start(KilnConfig.defaults(repo, 0, 0))) {
        String body =
            "{\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":["
                + lines.size()
                + ",64],\"data\":["
                + raw
                + "]}],\"outputs\":[{\"name\":\"probabilities\"}]}";
        HttpResponse<String> r =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + kiln.httpPort() + "/v2/models/digits/infer"))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode got = new ObjectMapper().readTree(r.body()).at("/outputs/0/data");
        assertThat(got).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
          assertThat(got.get(i).floatValue()).as("value %d", i).isCloseTo(expected[i], within(1e-4f));
        }
        assertMetadataNamesTheColumns(kiln, pre);
        assertRowsByColumnNamePredictAsPositionalRows(kiln, lines);
        assertNamedOipInputsAnswerAsPositional(kiln, lines, got);
      }
    }
  }

  /** The model's metadata names its raw input columns, in the order the {@code features} tensor takes them. */
  private static void assertMetadataNamesTheColumns(Kiln kiln, TabularPreprocessing pre) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + kiln.httpPort() + "/v2/models/digits")).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode input = new ObjectMapper().readTree(r.body()).at("/inputs/0");
    assertThat(input.get("name").asText()).isEqualTo("features");
    List<String> columns = new ArrayList<>();
    input.at("/parameters/columns").forEach(c -> columns.add(c.asText()));
    assertThat(columns)
        .hasSize(64)
        .isEqualTo(pre.numeric().stream().map(TabularPreprocessing.NumericFit::name).toList());
    assertThat(columns.get(0)).isEqualTo(TrainingApiTest.DIGITS_CSV.lines().findFirst().orElseThrow().split(",")[0]);
  }

  /**
   * {@code POST /predict} with rows keyed by column name (JSON objects in shuffled key order, or CSV with a header)
   * answers exactly what positional rows get; a missing or an unknown column is a 400 naming it.
   */
  private static void assertRowsByColumnNamePredictAsPositionalRows(Kiln kiln, List<String> lines) throws Exception {
    String[] header = TrainingApiTest.DIGITS_CSV.lines().findFirst().orElseThrow().split(",");
    ObjectMapper json = new ObjectMapper();
    var positional = json.createObjectNode();
    var named = json.createObjectNode();
    StringBuilder csv = new StringBuilder(String.join(",", List.of(header).subList(0, 64))).append('\n');
    for (String line : lines) {
      String[] cells = line.split(",");
      var row = positional.withArray("instances").addArray();
      var object = named.withArray("instances").addObject();
      for (int c = 63; c >= 0; c--) {
        object.put(header[c], Double.parseDouble(cells[c]));
      }
      for (int c = 0; c < 64; c++) {
        row.add(Double.parseDouble(cells[c]));
      }
      csv.append(String.join(",", List.of(cells).subList(0, 64))).append('\n');
    }
    JsonNode expected = predict(kiln, positional.toString(), "application/json", 200).get("predictions");
    assertThat(expected).hasSize(lines.size());
    assertThat(predict(kiln, named.toString(), "application/json", 200).get("predictions")).isEqualTo(expected);
    assertThat(predict(kiln, csv.toString(), "text/csv", 200).get("predictions")).isEqualTo(expected);

    var first = (ObjectNode) named.get("instances").get(0);
    first.remove(header[5]);
    first.put("colour", 1);
    String error = predict(kiln, named.toString(), "application/json", 400).get("error").asText();
    assertThat(error).contains("missing column(s) '" + header[5] + "'").contains("unknown column(s) 'colour'");
    String badCsv = csv.toString().replaceFirst(header[0] + ",", "colour,");
    assertThat(predict(kiln, badCsv, "text/csv", 400).get("error").asText())
        .contains("missing column(s) '" + header[0] + "'")
        .contains("unknown column(s) 'colour'");
  }

  /**
   * OIP inference with one input per raw column, in reverse order and FP64 as a dataframe client sends them, answers
   * exactly what the positional request got, over REST and over gRPC with grpc-java's stubs; gRPC metadata names the
   * same columns REST does.
   */
  private static void assertNamedOipInputsAnswerAsPositional(Kiln kiln, List<String> lines, JsonNode positional)
      throws Exception {
    String[] header = TrainingApiTest.DIGITS_CSV.lines().findFirst().orElseThrow().split(",");
    ObjectMapper json = new ObjectMapper();
    ObjectNode rest = json.createObjectNode();
    ModelInferRequest.Builder grpc =
        ModelInferRequest.newBuilder()
            .setModelName("digits")
            .addOutputs(InferRequestedOutputTensor.newBuilder().setName("probabilities"));
    for (int c = 63; c >= 0; c--) {
      ObjectNode in = rest.withArray("inputs").addObject().put("name", header[c]).put("datatype", "FP64");
      in.putArray("shape").add(lines.size());
      InferTensorContents.Builder contents = InferTensorContents.newBuilder();
      for (String line : lines) {
        double v = Double.parseDouble(line.split(",")[c]);
        in.withArray("data").add(v);
        contents.addFp64Contents(v);
      }
      grpc.addInputs(
          InferInputTensor.newBuilder()
              .setName(header[c])
              .setDatatype("FP64")
              .addShape(lines.size())
              .setContents(contents));
    }
    rest.putArray("outputs").addObject().put("name", "probabilities");
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + kiln.httpPort() + "/v2/models/digits/infer"))
                    .POST(HttpRequest.BodyPublishers.ofString(rest.toString()))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(json.readTree(r.body()).at("/outputs/0/data")).isEqualTo(positional);

    ManagedChannel ch = ManagedChannelBuilder.forAddress("127.0.0.1", kiln.grpcPort()).usePlaintext().build();
    try {
      GRPCInferenceServiceBlockingStub stub = GRPCInferenceServiceGrpc.newBlockingStub(ch);
      List<Float> got = stub.modelInfer(grpc.build()).getOutputs(0).getContents().getFp32ContentsList();
      assertThat(got).hasSize(positional.size());
      for (int i = 0; i < got.size(); i++) {
        assertThat(got.get(i)).as("value %d", i).isEqualTo(positional.get(i).floatValue());
      }
      String columns =
          stub.modelMetadata(ModelMetadataRequest.newBuilder().setName("digits").build())
              .getInputs(0)
              .getParametersOrThrow("columns")
              .getStringParam();
      assertThat(json.readTree(columns)).isEqualTo(json.readTree(metadata(kiln)).at("/inputs/0/parameters/columns"));
    } finally {
      ch.shutdownNow();
    }
  }

  private static String metadata(Kiln kiln) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + kiln.httpPort() + "/v2/models/digits")).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static JsonNode predict(Kiln kiln, String body, String type, int status) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + kiln.httpPort() + "/predict/digits"))
                    .header("Content-Type", type)
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return new ObjectMapper().readTree(r.body());
  }
}
