package dev.kiln.cli;

import static dev.kiln.deploy.Rendered.at;
import static dev.kiln.deploy.Rendered.key;
import static dev.kiln.deploy.Rendered.one;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.kiln.deploy.Kustomize;
import dev.kiln.govern.crypto.MasterKeys;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.ParseResult;

/**
 * The rendered container's command line is one {@code kiln serve} accepts: its {@code $(VAR)} references expanded as
 * the kubelet expands them (from the ConfigMap, the Secrets and literal values), then parsed by the CLI's own parser,
 * so a misspelt flag or a value of the wrong form fails here rather than in a crash-looping pod. In this package to
 * reach the CLI's parser, which is package-private.
 */
class ServeArgsTest {
  private static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

  @ParameterizedTest
  @ValueSource(strings = {"overlays/single", "overlays/scaled"})
  void theContainerArgsAreAKilnServeCommandLine(String overlay) throws Exception {
    List<JsonObject> objects = Kustomize.render(overlay);
    JsonObject container =
        at(one(objects, "apps/v1/Deployment"), "spec.template.spec.containers")
            .getAsJsonArray()
            .get(0)
            .getAsJsonObject();
    Map<String, String> env = environment(container, objects);

    List<String> args = new ArrayList<>();
    for (JsonElement a : container.getAsJsonArray("args")) {
      args.add(expand(a.getAsString(), env));
    }
    ParseResult parsed = Main.commandLine().parseArgs(args.toArray(String[]::new));
    assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("serve");
    assertThat(parsed.subcommand().matchedOptions()).hasSize(args.size() - 1);

    // The example master key is refused at start, as the overlay's example file promises.
    assertThatThrownBy(() -> MasterKeys.fromEnvironment(Map.of(MasterKeys.ENV, env.get(MasterKeys.ENV))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not base64");
  }

  /** The container's environment: envFrom ConfigMaps, then env (literal values and Secret keys). */
  private static Map<String, String> environment(JsonObject container, List<JsonObject> objects) {
    Map<String, String> env = new HashMap<>();
    for (JsonElement from : container.getAsJsonArray("envFrom")) {
      String name = at(from.getAsJsonObject(), "configMapRef.name").getAsString();
      at(named(objects, "v1/ConfigMap", name), "data")
          .getAsJsonObject()
          .entrySet()
          .forEach(e -> env.put(e.getKey(), e.getValue().getAsString()));
    }
    for (JsonElement e : container.getAsJsonArray("env")) {
      JsonObject var = e.getAsJsonObject();
      String value;
      if (var.has("value")) {
        value = var.get("value").getAsString();
      } else {
        JsonObject ref = at(var, "valueFrom.secretKeyRef").getAsJsonObject();
        JsonObject secret = named(objects, "v1/Secret", ref.get("name").getAsString());
        if (ref.has("optional")
            && ref.get("optional").getAsBoolean()
            && !at(secret, "data").getAsJsonObject().has(ref.get("key").getAsString())) {
          continue; // as the kubelet does: an optional key the Secret lacks leaves the variable unset
        }
        String base64 = at(secret, "data." + ref.get("key").getAsString()).getAsString();
        // kustomize folds long base64 values over lines; like Go's decoder, the MIME decoder skips line breaks.
        value = new String(Base64.getMimeDecoder().decode(base64), StandardCharsets.UTF_8);
      }
      env.put(var.get("name").getAsString(), value);
    }
    return env;
  }

  private static String expand(String arg, Map<String, String> env) {
    Matcher m = REFERENCE.matcher(arg);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      assertThat(env).as("%s refers to an undefined variable", arg).containsKey(m.group(1));
      m.appendReplacement(out, Matcher.quoteReplacement(env.get(m.group(1))));
    }
    return m.appendTail(out).toString();
  }

  private static JsonObject named(List<JsonObject> objects, String key, String name) {
    List<JsonObject> found =
        objects.stream().filter(o -> key(o).equals(key) && at(o, "metadata.name").getAsString().equals(name)).toList();
    assertThat(found).as("%s %s", key, name).hasSize(1);
    return found.get(0);
  }
}
