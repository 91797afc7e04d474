package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.http.ApiJson;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kiln datasets show NAME[@VERSION]}: one version's report. */
@Command(
    name = "show",
    description =
        "A dataset version's report (NAME@VERSION, or the newest): its manifest, how it is stored and whether"
            + " encrypted, its policy, retention and expiry, and the jobs and models that used it.")
final class DatasetShowCommand implements Callable<Integer> {
  @Mixin ClientOptions server;

  @Parameters(index = "0")
  String name;

  @Option(names = "--version")
  Integer version;

  @Override
  public Integer call() throws Exception {
    int at = name.indexOf('@');
    Integer v = at < 0 ? version : Integer.valueOf(DatasetRetentionCommands.version(name.substring(at + 1)));
    String n = at < 0 ? name : name.substring(0, at);
    KilnClient client = server.client();
    int shown = v != null ? v : client.get("/api/v1/datasets/" + n).get("version").asInt();
    JsonNode m = client.get("/api/v1/datasets/" + n + "/versions/" + shown);
    System.out.println(ApiJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(m));
    return 0;
  }
}
