package dev.kiln.engine.llama.process;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.engine.ModelLoadException;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.Arrays;

/**
 * How method calls cross the channel, generically: a call or an event names a method of an interface ({@code
 * LanguageModel} for calls, {@code TokenSink} for events) and carries its arguments as Jackson writes them, decoded on
 * the other side by the method's own parameter types. Records (kiln-core's {@code Generation} and what other features
 * add to it) go field by field, so their new fields need nothing here. A {@code Throwable} crosses as its {@link
 * ErrorKind} and message only: the client sees the same kind and message it would in process, never a stack.
 */
final class Wire {
  /** The kind a load failure crosses as, so the parent throws a {@link ModelLoadException} again. */
  private static final String LOAD = "LOAD";

  private Wire() {}

  /** The method {@code name} of {@code type} with {@code arity} parameters. */
  static Method method(Class<?> type, String name, int arity) {
    return Arrays.stream(type.getMethods())
        .filter(m -> m.getName().equals(name) && m.getParameterCount() == arity)
        .findFirst()
        .orElseThrow(() -> KilnException.invalid("no method " + name + "/" + arity + " on " + type.getSimpleName()));
  }

  static ArrayNode encode(Object[] args) {
    ArrayNode out = Frames.JSON.createArrayNode();
    for (Object a : args == null ? new Object[0] : args) {
      out.add(a instanceof Throwable t ? error(t) : Frames.JSON.valueToTree(a));
    }
    return out;
  }

  /** {@code args} as {@code m}'s parameters. */
  static Object[] decode(Method m, JsonNode args) {
    Type[] types = m.getGenericParameterTypes();
    Object[] out = new Object[types.length];
    for (int i = 0; i < types.length; i++) {
      JsonNode a = args.path(i);
      out[i] =
          Throwable.class.isAssignableFrom(m.getParameterTypes()[i])
              ? exception(a)
              : Frames.JSON.convertValue(a, Frames.JSON.constructType(types[i]));
    }
    return out;
  }

  static Object result(Method m, JsonNode value) {
    return m.getReturnType() == void.class
        ? null
        : Frames.JSON.convertValue(value, Frames.JSON.constructType(m.getGenericReturnType()));
  }

  static ObjectNode error(Throwable t) {
    ObjectNode e = Frames.JSON.createObjectNode();
    if (t instanceof ModelLoadException) {
      return e.put("kind", LOAD).put("message", t.getMessage());
    }
    KilnException k = KilnException.from(t);
    return e.put("kind", k.kind().name()).put("message", k.getMessage());
  }

  static RuntimeException exception(JsonNode e) {
    String kind = e.path("kind").asText();
    String message = e.path("message").asText();
    if (kind.equals(LOAD)) {
      return new ModelLoadException(message);
    }
    try {
      return new KilnException(ErrorKind.valueOf(kind), message);
    } catch (IllegalArgumentException unknown) {
      return new KilnException(ErrorKind.INTERNAL, "internal error");
    }
  }
}
