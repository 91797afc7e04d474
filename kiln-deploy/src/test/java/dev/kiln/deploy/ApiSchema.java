package dev.kiln.deploy;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.annotations.SerializedName;
import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.custom.QuantityFormatException;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Kubernetes API schema of each built-in kind and version the manifests use, as the official Kubernetes Java client
 * (io.kubernetes:client-java-api) carries it: its models are generated from the API server's OpenAPI document, and each
 * has a {@code validateJsonElement} that rejects fields the schema does not define and missing required fields. That
 * check takes any JSON scalar for a scalar field, and the client's Gson reads {@code "3"} as 3, where the API server
 * refuses it; so this also walks every field against the model's declared Java type (string, integer, number, boolean,
 * int-or-string, quantity, list, map, object) and parses each quantity. A kind with no schema here is a problem too, so
 * nothing passes unchecked.
 */
final class ApiSchema {
  private static final Map<String, Class<?>> KINDS =
      Map.of(
          "v1/ConfigMap", V1ConfigMap.class,
          "v1/Secret", V1Secret.class,
          "v1/Service", V1Service.class,
          "v1/PersistentVolumeClaim", V1PersistentVolumeClaim.class,
          "apps/v1/Deployment", V1Deployment.class,
          "policy/v1/PodDisruptionBudget", V1PodDisruptionBudget.class,
          "autoscaling/v2/HorizontalPodAutoscaler", V2HorizontalPodAutoscaler.class);

  private ApiSchema() {}

  /** Whether this is a built-in kind this schema knows (custom resources are checked against their CRD instead). */
  static boolean covers(JsonObject object) {
    return KINDS.containsKey(key(object));
  }

  /** What is wrong with one object, each naming where; empty when it validates. */
  static List<String> problems(JsonObject object) {
    String key = key(object);
    Class<?> model = KINDS.get(key);
    if (model == null) {
      return List.of(key + ": no schema for this kind and version");
    }
    List<String> problems = new ArrayList<>();
    try {
      model.getMethod("validateJsonElement", JsonElement.class).invoke(null, object);
    } catch (InvocationTargetException e) {
      // The client appends the whole offending JSON; the sentence before it names the field and the model.
      problems.add(key + ": " + e.getCause().getMessage().split(" JSON: ", 2)[0]);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
    walk(object, model, key, problems);
    return problems;
  }

  private static String key(JsonObject object) {
    return text(object, "apiVersion") + "/" + text(object, "kind");
  }

  private static String text(JsonObject o, String name) {
    JsonElement e = o.get(name);
    return e != null && e.isJsonPrimitive() ? e.getAsString() : "?";
  }

  private static void walk(JsonElement e, Type type, String path, List<String> out) {
    if (e == null || e.isJsonNull()) {
      return;
    }
    Class<?> raw = raw(type);
    if (raw == Object.class) {
      return;
    } else if (raw == String.class || raw == OffsetDateTime.class || raw == byte[].class) {
      expect(isString(e), path, "string", e, out);
    } else if (raw == Integer.class || raw == Long.class) {
      expect(isInteger(e), path, "integer", e, out);
    } else if (Number.class.isAssignableFrom(raw)) {
      expect(isNumber(e), path, "number", e, out);
    } else if (raw == Boolean.class) {
      expect(e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean(), path, "boolean", e, out);
    } else if (raw == IntOrString.class) {
      expect(isInteger(e) || isString(e), path, "integer or string", e, out);
    } else if (raw == Quantity.class) {
      quantity(e, path, out);
    } else if (List.class.isAssignableFrom(raw)) {
      if (expect(e.isJsonArray(), path, "array", e, out)) {
        int i = 0;
        for (JsonElement item : e.getAsJsonArray()) {
          walk(item, argument(type, 0), path + "[" + i++ + "]", out);
        }
      }
    } else if (Map.class.isAssignableFrom(raw)) {
      if (expect(e.isJsonObject(), path, "object", e, out)) {
        e.getAsJsonObject()
            .entrySet()
            .forEach(en -> walk(en.getValue(), argument(type, 1), path + "." + en.getKey(), out));
      }
    } else if (expect(e.isJsonObject(), path, "object", e, out)) {
      for (Map.Entry<String, JsonElement> en : e.getAsJsonObject().entrySet()) {
        // Fields the model lacks were reported by validateJsonElement, with the model's name.
        field(raw, en.getKey()).ifPresent(f -> walk(en.getValue(), f.getGenericType(), path + "." + en.getKey(), out));
      }
    }
  }

  private static void quantity(JsonElement e, String path, List<String> out) {
    if (expect(isString(e) || isNumber(e), path, "quantity (string or number)", e, out)) {
      try {
        new Quantity(e.getAsString());
      } catch (QuantityFormatException | NumberFormatException x) {
        out.add(path + ": " + e + " is not a quantity");
      }
    }
  }

  private static boolean expect(boolean ok, String path, String what, JsonElement e, List<String> out) {
    if (!ok) {
      out.add(path + ": expected " + what + ", got " + e);
    }
    return ok;
  }

  private static boolean isString(JsonElement e) {
    return e.isJsonPrimitive() && e.getAsJsonPrimitive().isString();
  }

  private static boolean isNumber(JsonElement e) {
    return e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber();
  }

  private static boolean isInteger(JsonElement e) {
    if (!isNumber(e)) {
      return false;
    }
    BigDecimal d = ((JsonPrimitive) e).getAsBigDecimal();
    return d.signum() == 0 || d.stripTrailingZeros().scale() <= 0;
  }

  private static Optional<Field> field(Class<?> model, String jsonName) {
    for (Field f : model.getDeclaredFields()) {
      SerializedName n = f.getAnnotation(SerializedName.class);
      if (n != null && n.value().equals(jsonName)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  private static Class<?> raw(Type t) {
    if (t instanceof Class<?> c) {
      return c;
    }
    if (t instanceof ParameterizedType p) {
      return (Class<?>) p.getRawType();
    }
    return Object.class;
  }

  private static Type argument(Type t, int i) {
    return t instanceof ParameterizedType p ? p.getActualTypeArguments()[i] : Object.class;
  }
}
