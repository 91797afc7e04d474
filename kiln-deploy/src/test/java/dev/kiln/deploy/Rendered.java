package dev.kiln.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.List;

/** Finding things in rendered objects, for the tests here and the CLI check in {@code dev.kiln.cli}. */
public final class Rendered {
  public static final String SERVICE_MONITOR = "monitoring.coreos.com/v1/ServiceMonitor";

  private Rendered() {}

  /** {@code apiVersion/kind}, e.g. {@code apps/v1/Deployment}. */
  public static String key(JsonObject o) {
    return o.get("apiVersion").getAsString() + "/" + o.get("kind").getAsString();
  }

  /** The one object of this kind (failing when there are none or several). */
  public static JsonObject one(List<JsonObject> objects, String key) {
    List<JsonObject> found = objects.stream().filter(o -> key(o).equals(key)).toList();
    assertThat(found).as(key).hasSize(1);
    return found.get(0);
  }

  /** The element at a dotted path of object fields (failing when one is missing). */
  public static JsonElement at(JsonObject o, String path) {
    JsonElement e = o;
    for (String part : path.split("\\.")) {
      assertThat(e.isJsonObject() && e.getAsJsonObject().has(part)).as(path).isTrue();
      e = e.getAsJsonObject().get(part);
    }
    return e;
  }
}
