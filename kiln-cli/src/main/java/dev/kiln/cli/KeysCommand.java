package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.http.ApiJson;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kiln keys create|list|revoke|rotate}, and {@code kiln usage}, {@code kiln audit}: need an admin key. */
@Command(
    name = "keys",
    description = "API keys: create (the token is shown once), list, revoke, rotate.",
    subcommands = {
      KeysCommand.Create.class,
      KeysCommand.ListKeys.class,
      KeysCommand.Revoke.class,
      KeysCommand.Rotate.class
    })
final class KeysCommand {
  @Command(name = "create", description = "Create a key; prints its token once.")
  static final class Create implements Callable<Integer> {
    @Mixin ClientOptions server;

    @Option(names = "--name", required = true)
    String name;

    @Option(
        names = "--allow",
        required = true,
        split = ",",
        description =
            "Scopes: invoke:<model or glob>, manage:<model or glob>, train, dataset:<dataset or glob>, admin "
                + "(repeat or comma-separate).")
    List<String> scopes;

    @Option(names = "--rpm", description = "Requests per minute.")
    Long rpm;

    @Option(names = "--daily-requests", description = "Requests per UTC day.")
    Long daily;

    @Option(names = "--daily-tokens", description = "Language-model tokens per UTC day.")
    Long dailyTokens;

    @Option(names = "--expires-in-days")
    Long expiresInDays;

    @Override
    public Integer call() {
      ObjectNode req = ApiJson.MAPPER.createObjectNode().put("name", name);
      scopes.forEach(req.putArray("scopes")::add);
      ObjectNode limits = req.putObject("limits");
      if (rpm != null) {
        limits.put("requests_per_minute", rpm);
      }
      if (daily != null) {
        limits.put("requests_per_day", daily);
      }
      if (dailyTokens != null) {
        limits.put("tokens_per_day", dailyTokens);
      }
      if (expiresInDays != null) {
        req.put("expires_in_days", expiresInDays);
      }
      JsonNode k = server.client().post("/api/v1/keys", ApiJson.write(req), "application/json");
      System.out.println("key " + k.path("id").asText() + " (" + name + "): " + k.path("scopes"));
      System.out.println(k.path("token").asText());
      System.err.println("this token is shown once; store it now");
      return 0;
    }
  }

  @Command(name = "list", description = "Every key (never their secrets).")
  static final class ListKeys implements Callable<Integer> {
    @Mixin ClientOptions server;

    @Override
    public Integer call() {
      JsonNode keys = server.client().get("/api/v1/keys"); // a refused call prints no table
      System.out.printf("%-12s %-20s %-8s %s%n", "ID", "NAME", "STATE", "SCOPES");
      for (JsonNode k : keys) {
        String state = k.hasNonNull("revoked") ? "revoked" : "active";
        System.out.printf(
            "%-12s %-20s %-8s %s%n", k.path("id").asText(), k.path("name").asText(), state, k.path("scopes"));
      }
      return 0;
    }
  }

  @Command(name = "revoke", description = "Revoke a key at once.")
  static final class Revoke implements Callable<Integer> {
    @Mixin ClientOptions server;

    @Parameters(index = "0")
    String id;

    @Override
    public Integer call() {
      server.client().post("/api/v1/keys/" + id + "/revoke", new byte[0], "application/json");
      System.out.println("key " + id + " revoked");
      return 0;
    }
  }

  @Command(name = "rotate", description = "Give a key a new secret; the old token stops working.")
  static final class Rotate implements Callable<Integer> {
    @Mixin ClientOptions server;

    @Parameters(index = "0")
    String id;

    @Override
    public Integer call() {
      JsonNode k = server.client().post("/api/v1/keys/" + id + "/rotate", new byte[0], "application/json");
      System.out.println(k.path("token").asText());
      System.err.println("this token is shown once; store it now");
      return 0;
    }
  }
}
