package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.http.ApiJson;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kiln jobs export ID [-o FILE]}: a succeeded job's ONNX model, checked against the sha256 in the job's lineage,
 * with that lineage (dataset name, version and sha256, spec, settings, engine, epochs) and the test-split metrics in
 * {@code FILE.lineage.json}.
 */
@Command(
    name = "export",
    description = "Download a succeeded job's ONNX model (checksum verified) with its lineage JSON beside it.")
final class JobsExportCommand implements Callable<Integer> {
  @Mixin ClientOptions server;

  @Parameters(index = "0")
  long id;

  @Option(
      names = {"-o", "--output"},
      description = "Where to write the model (default: job-ID.onnx); its lineage goes to FILE.lineage.json.")
  Path output;

  @Override
  public Integer call() throws IOException {
    KilnClient client = server.client();
    JsonNode job = client.get("/api/v1/jobs/" + id);
    byte[] bytes = client.file("/api/v1/jobs/" + id + "/model"); // the server refuses a job that has not succeeded
    JsonNode recorded = job.path("lineage");
    if (!recorded.isObject()) {
      throw new KilnClient.CallFailed("job " + id + " has no lineage; only a succeeded job has a model");
    }
    ObjectNode lineage = ApiJson.MAPPER.createObjectNode();
    lineage.put("job", id).put("format", "onnx");
    lineage.set("created", job.path("created"));
    lineage.set("finished", job.path("finished"));
    lineage.setAll((ObjectNode) recorded.deepCopy());
    lineage.set("evaluation", job.path("evaluation"));
    Path out = output != null ? output : Path.of("job-" + id + ".onnx");
    ModelFile.write(out, bytes, recorded.path("artifact_sha256").asText(), lineage);
    System.out.printf(
        "exported job %d: %d bytes, sha256 %s, to %s (lineage in %s)%n",
        id, bytes.length, lineage.path("sha256").asText(), out, ModelFile.lineagePath(out));
    return 0;
  }
}
