package dev.kiln.training.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.kiln.training.data.Task;
import dev.kiln.training.job.JobJson;
import dev.kiln.training.job.JobRequest;
import dev.kiln.training.spec.Activation;
import dev.kiln.training.spec.LayerSpec;
import dev.kiln.training.spec.ModelSpecReader;
import dev.kiln.training.spec.SpecValidator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrialPathsTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static ObjectNode request() throws Exception {
    return (ObjectNode)
        JSON.readTree(
            """
            {"dataset": "d", "model": {"layers": [{"type": "dense", "units": 8}, {"type": "dropout", "rate": 0.1},
             {"type": "dense", "units": 3}, {"type": "dropout", "rate": 0.2}], "optimizer": "adam"}}
            """);
  }

  @Test
  void aliasesAndPathsSetTheirFieldCreatingObjectsOnTheWay() throws Exception {
    ObjectNode r = request();
    TrialPaths.apply(r, "learning_rate", DoubleNode.valueOf(0.05));
    TrialPaths.apply(r, "batch_size", IntNode.valueOf(64));
    TrialPaths.apply(r, "model.layers.0.units", IntNode.valueOf(32));
    TrialPaths.apply(r, "dropout", DoubleNode.valueOf(0.3));
    TrialPaths.apply(r, "preparation.scaling", TextNode.valueOf("minmax"));
    // The bare-name optimizer became {name: adam} to take a learning rate.
    assertThat(r.at("/model/optimizer").toString()).isEqualTo("{\"name\":\"adam\",\"learning_rate\":0.05}");
    assertThat(r.at("/training/batch_size").asInt()).isEqualTo(64);
    assertThat(r.at("/model/layers/0/units").asInt()).isEqualTo(32);
    assertThat(r.at("/model/layers/1/rate").asDouble()).isEqualTo(0.3);
    assertThat(r.at("/model/layers/3/rate").asDouble()).isEqualTo(0.3);
    assertThat(r.at("/preparation/scaling").asText()).isEqualTo("minmax");
    TrialPaths.apply(r, "optimizer", TextNode.valueOf("sgd"));
    assertThat(r.at("/model/optimizer/name").asText()).isEqualTo("sgd");
    TrialPaths.apply(r, "model.layers", JSON.readTree("[{\"type\": \"dense\", \"units\": 3}]"));
    assertThat(r.at("/model/layers").size()).isEqualTo(1);
  }

  @Test
  void pathsThatNameNothingAreRefusedNamingTheKey() throws Exception {
    assertThatThrownBy(() -> TrialPaths.apply(request(), "model.layers.7.units", IntNode.valueOf(1)))
        .hasMessage("space.model.layers.7.units: model.layers has 4 entries (indexes from 0), so '7' names none");
    assertThatThrownBy(() -> TrialPaths.apply(request(), "model.layers.0.units.x", IntNode.valueOf(1)))
        .hasMessage("space.model.layers.0.units.x: model.layers.0.units is a value, not an object or list");
    assertThatThrownBy(() -> TrialPaths.apply(request(), "training.callbacks.0", IntNode.valueOf(1)))
        .hasMessage("space.training.callbacks.0: training.callbacks is not a list in the request");
    ObjectNode noDropout = (ObjectNode) JSON.readTree("{\"model\": {\"layers\": []}}");
    assertThatThrownBy(() -> TrialPaths.apply(noDropout, "dropout", DoubleNode.valueOf(0.1)))
        .hasMessage("space.dropout: the spec has no dropout layer to set the rate of");
    assertThatThrownBy(() -> TrialPaths.checkKey("dataset")).hasMessageStartingWith("space: unknown key 'dataset'");
    assertThatThrownBy(() -> TrialPaths.checkKey("model..units")).hasMessageStartingWith("space: unknown key");
  }

  @Test
  void theExampleSpaceGivesTrialsThatFitTheExampleSpec() throws Exception {
    Path examples = Path.of("..", "examples");
    ObjectNode request = JSON.createObjectNode().put("dataset", "digits");
    request.set("model", ModelSpecReader.tree(Files.readString(examples.resolve("mlp.yaml"))));
    SearchSpace space =
        SearchSpace.read(ModelSpecReader.tree(Files.readString(examples.resolve("mlp-space.yaml"))), 16);
    Task digits = Task.classification("digit", List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"));
    for (Map<String, JsonNode> settings : TrialGenerator.generate(space, Strategy.LATIN_HYPERCUBE, 12, 42, 100)) {
      ObjectNode trial = request.deepCopy();
      settings.forEach((k, v) -> TrialPaths.apply(trial, k, v));
      JobRequest job = JobJson.readRequest(JSON.writeValueAsBytes(trial));
      SpecValidator.validate(job.model(), List.of(64), digits);
      assertThat(job.model().layers().getFirst())
          .isEqualTo(new LayerSpec.Dense(settings.get("model.layers.0.units").asInt(), Activation.RELU, true));
      assertThat(job.model().optimizer().learningRate()).isEqualTo(settings.get("learning_rate").asDouble());
    }
  }
}
