package dev.kiln.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ServiceMonitor is a custom resource, outside the Kubernetes API schema: it is validated against
 * prometheus-operator's own API schema (the Go types its CRD is generated from) as compiled by
 * {@code @kubernetes-models/prometheus-operator}, from the npm registry, installed by this test: types, patterns, enums
 * and required fields. Needs Node.js and npm; under CI their absence is a failure, not a skip.
 */
class ServiceMonitorSchemaTest {
  @TempDir static Path dir;

  @BeforeAll
  static void install() throws Exception {
    boolean node = run(dir, 30, "node", "--version").exit == 0 && run(dir, 30, "npm", "--version").exit == 0;
    if (!node) {
      assertThat(System.getenv("CI")).as("node and npm are required under CI").isNotEqualTo("true");
      Assumptions.abort("node/npm not found");
    }
    for (String f : new String[] {"package.json", "package-lock.json", "validate.mjs"}) {
      Files.copy(Path.of("src/test/node", f), dir.resolve(f));
    }
    Result ci = run(dir, 300, "npm", "ci", "--no-audit", "--no-fund");
    assertThat(ci.exit).as("npm ci: %s", ci.out).isZero();
  }

  @Test
  void theRenderedServiceMonitorsValidateAgainstTheirSchema() throws Exception {
    JsonArray monitors = new JsonArray();
    for (String overlay : List.of("overlays/single", "overlays/scaled")) {
      monitors.add(Rendered.one(Kustomize.render(overlay), Rendered.SERVICE_MONITOR));
    }
    Result r = validate(monitors);
    assertThat(r.exit).as(r.out).isZero();
    assertThat(r.out).contains("ok monitoring.coreos.com/v1/ServiceMonitor kiln");
  }

  @Test
  void aBrokenServiceMonitorFails() throws Exception {
    JsonObject good = Rendered.one(Kustomize.render("overlays/single"), Rendered.SERVICE_MONITOR);
    JsonObject endpoint = endpoint(good);

    JsonObject wrongType = good.deepCopy();
    endpoint(wrongType).addProperty("port", 8000);
    assertThat(validate(array(wrongType)).out).contains("invalid", "spec/endpoints/0/port must be string");

    JsonObject badDuration = good.deepCopy();
    endpoint(badDuration).addProperty("interval", "15 seconds");
    assertThat(validate(array(badDuration)).out).contains("invalid", "spec/endpoints/0/interval must match pattern");

    JsonObject noSelector = good.deepCopy();
    noSelector.getAsJsonObject("spec").remove("selector");
    assertThat(validate(array(noSelector)).out).contains("invalid", "must have required property selector");

    JsonObject otherKind = good.deepCopy();
    otherKind.addProperty("apiVersion", "monitoring.coreos.com/v2");
    Result r = validate(array(otherKind));
    assertThat(r.exit).isNotZero();
    assertThat(r.out).contains("no schema for this kind and version");
    assertThat(endpoint.get("port").getAsString()).isEqualTo("http");
  }

  private static JsonObject endpoint(JsonObject monitor) {
    return monitor.getAsJsonObject("spec").getAsJsonArray("endpoints").get(0).getAsJsonObject();
  }

  private static JsonArray array(JsonObject o) {
    JsonArray a = new JsonArray();
    a.add(o);
    return a;
  }

  private static Result validate(JsonArray objects) throws Exception {
    Path file = Files.createTempFile(dir, "objects", ".json");
    Files.writeString(file, objects.toString());
    return run(dir, 60, "node", "validate.mjs", file.toString());
  }

  private record Result(int exit, String out) {}

  private static Result run(Path cwd, int seconds, String... command) throws InterruptedException {
    try {
      Process p = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(-1, out);
      }
      return new Result(p.exitValue(), out);
    } catch (IOException e) {
      return new Result(-1, e.getMessage());
    }
  }
}
