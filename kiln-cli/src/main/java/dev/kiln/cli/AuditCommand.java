package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kiln audit}: the append-only audit log, newest first. */
@Command(name = "audit", description = "Who did what to which model or key, when, from where (admin).")
final class AuditCommand implements Callable<Integer> {
  @Mixin ClientOptions server;

  @Option(names = "--actor", description = "A key id.")
  String actor;

  @Option(names = "--action", description = "e.g. model.push, key.create.")
  String action;

  @Option(names = "--target", description = "Prefix, e.g. model:mnist.")
  String target;

  @Option(names = "--limit", defaultValue = "50")
  int limit;

  @Override
  public Integer call() {
    StringBuilder q = new StringBuilder();
    UsageCommand.append(q, "actor", actor);
    UsageCommand.append(q, "action", action);
    UsageCommand.append(q, "target", target);
    UsageCommand.append(q, "limit", Integer.toString(limit));
    for (JsonNode e : server.client().get("/api/v1/audit" + q)) {
      System.out.printf(
          "%s  %-12s %-14s %-28s %-7s %s  %s%n",
          e.path("at").asText(),
          e.path("actor").asText(),
          e.path("action").asText(),
          e.path("target").asText(),
          e.path("outcome").asText(),
          e.path("source").asText(),
          e.path("detail").asText());
    }
    return 0;
  }
}
