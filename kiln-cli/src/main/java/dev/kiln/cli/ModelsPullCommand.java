package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.http.ApiJson;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.StreamSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kiln models pull NAME[@alias|:version] [-o FILE]}: a registry version's file, checked against the sha256 the
 * registry recorded, with its lineage (version record, metadata, model card) in {@code FILE.lineage.json}.
 */
@Command(
    name = "pull",
    description = "Download a version's model file (checksum verified) with its lineage JSON beside it.")
final class ModelsPullCommand implements Callable<Integer> {
  @Mixin ClientOptions server;

  @Parameters(index = "0", paramLabel = "NAME[@alias|:version]", description = "Default: the newest published version.")
  String reference;

  @Option(
      names = {"-o", "--output"},
      description = "Where to write the model (default: NAME-VERSION.FORMAT); its lineage goes to FILE.lineage.json.")
  Path output;

  @Override
  public Integer call() throws IOException {
    int at = reference.indexOf('@');
    int colon = reference.indexOf(':');
    int end = at >= 0 ? at : colon >= 0 ? colon : reference.length();
    String name = reference.substring(0, end);
    KilnClient client = server.client();
    JsonNode model = client.get("/api/v1/models/" + name);
    long version =
        at >= 0 ? aliased(model, reference.substring(at + 1)) : colon >= 0 ? number(reference, colon) : newest(model);
    JsonNode record =
        find(model, version)
            .orElseThrow(() -> new KilnClient.CallFailed("no version " + version + " of model '" + name + "'"));
    byte[] bytes = client.file("/api/v1/models/" + name + "/versions/" + version + "/artifact");
    Path out = output != null ? output : Path.of(name + "-" + version + "." + record.path("format").asText("onnx"));
    ObjectNode lineage = ApiJson.MAPPER.createObjectNode();
    lineage.put("model", name).put("version", version);
    if (at >= 0) {
      lineage.put("alias", reference.substring(at + 1));
    }
    for (String field : new String[] {"format", "source", "state", "created", "created_by"}) {
      lineage.set(field, record.path(field));
    }
    lineage.set("metadata", json(record.path("metadata").asText("{}")));
    lineage.set("card", model.path("card"));
    ModelFile.write(out, bytes, record.path("sha256").asText(), lineage);
    System.out.printf(
        "pulled %s version %d: %d bytes, sha256 %s, to %s (lineage in %s)%n",
        name, version, bytes.length, lineage.path("sha256").asText(), out, ModelFile.lineagePath(out));
    return 0;
  }

  private static long aliased(JsonNode model, String alias) {
    JsonNode v = model.path("aliases").path(alias);
    if (!v.canConvertToExactIntegral()) {
      throw new KilnClient.CallFailed("no alias '" + alias + "' on model '" + model.path("name").asText() + "'");
    }
    return v.asLong();
  }

  private static long number(String reference, int colon) {
    try {
      return Long.parseLong(reference.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new KilnClient.CallFailed("version: '" + reference.substring(colon + 1) + "' (expected: a number)");
    }
  }

  private static long newest(JsonNode model) {
    return StreamSupport.stream(model.path("versions").spliterator(), false)
        .filter(v -> v.path("state").asText().equals("PUBLISHED"))
        .mapToLong(v -> v.path("version").asLong())
        .max()
        .orElseThrow(
            () -> new KilnClient.CallFailed("model '" + model.path("name").asText() + "' has no published version"));
  }

  private static Optional<JsonNode> find(JsonNode model, long version) {
    return StreamSupport.stream(model.path("versions").spliterator(), false)
        .filter(v -> v.path("version").asLong() == version)
        .findFirst();
  }

  /** The version's metadata as JSON when it is JSON (it usually is), else as the text it is. */
  private static JsonNode json(String text) {
    try {
      JsonNode n = ApiJson.MAPPER.readTree(text);
      return n == null ? ApiJson.MAPPER.getNodeFactory().textNode(text) : n;
    } catch (IOException e) {
      return ApiJson.MAPPER.getNodeFactory().textNode(text);
    }
  }
}
