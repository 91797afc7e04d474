package dev.kiln.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Renders a kustomization the way a user applies it ({@code kubectl kustomize DIR}, what {@code kubectl apply -k}
 * sends), into one JSON object per Kubernetes object. kubectl renders offline; without it the test is skipped on a
 * developer's machine and fails under CI ({@code CI=true}).
 */
public final class Kustomize {
  /** The repository's deploy/kubernetes folder (tests run in the module's folder). */
  static final Path ROOT = Path.of("..", "deploy", "kubernetes").toAbsolutePath().normalize();

  private static final ObjectMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = new ObjectMapper();

  private Kustomize() {}

  public static List<JsonObject> render(String folder) throws IOException, InterruptedException {
    requireKubectl();
    Process p =
        new ProcessBuilder("kubectl", "kustomize", ROOT.resolve(folder).toString())
            .redirectError(ProcessBuilder.Redirect.PIPE)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("kubectl kustomize finishes").isTrue();
    assertThat(p.exitValue()).as("kubectl kustomize %s: %s", folder, err).isZero();
    assertThat(err).as("kubectl kustomize %s warns", folder).isEmpty();
    return parse(out);
  }

  /** Each YAML document of a stream as a JSON object (what the API server receives from kubectl). */
  public static List<JsonObject> parse(String yaml) throws IOException {
    List<JsonObject> objects = new ArrayList<>();
    try (var docs = YAML.readValues(new YAMLFactory().createParser(yaml), JsonNode.class)) {
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
          objects.add(JsonParser.parseString(JSON.writeValueAsString(doc)).getAsJsonObject());
        }
      }
    }
    return objects;
  }

  private static void requireKubectl() throws InterruptedException {
    boolean found;
    try {
      found = new ProcessBuilder("kubectl", "version", "--client").start().waitFor() == 0;
    } catch (IOException e) {
      found = false;
    }
    if (!found) {
      assertThat(System.getenv("CI")).as("kubectl is required under CI").isNotEqualTo("true");
      Assumptions.abort("kubectl not found");
    }
  }
}
