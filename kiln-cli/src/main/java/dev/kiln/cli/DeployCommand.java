package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.http.ApiJson;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kiln deploy JOB --as NAME}: serves a trained model. */
@Command(name = "deploy", description = "Serve a succeeded job's model as the next version of a model.")
final class DeployCommand implements Callable<Integer> {
  @Mixin ClientOptions server;

  @Parameters(index = "0", description = "Job id.")
  long job;

  @Option(names = "--as", required = true, description = "Model name to serve it under.")
  String name;

  @Override
  public Integer call() {
    deploy(server.client(), job, name);
    return 0;
  }

  static void deploy(KilnClient client, long job, String name) {
    JsonNode d =
        client.post("/api/v1/jobs/" + job + "/deploy", ApiJson.write(Map.of("name", name)), "application/json");
    System.out.printf(
        "deployed job %d as %s version %s: POST /v2/models/%s/infer%n",
        job, d.path("model").asText(), d.path("version").asText(), d.path("model").asText());
  }
}
