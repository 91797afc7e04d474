package dev.kiln.core.llm;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A GBNF grammar (llama.cpp's grammar format) being built: named rules, one of them {@code root}. Rules built for the
 * same body are shared, so a schema that repeats a type does not repeat its rule.
 */
final class GbnfRules {
  private final Map<String, String> rules = new LinkedHashMap<>();
  private final Map<String, String> byBody = new HashMap<>();

  /** The name of a rule for {@code body}, added unless one exists; {@code hint} is the start of a new rule's name. */
  String rule(String hint, String body) {
    String known = byBody.get(body);
    if (known != null) {
      return known;
    }
    String name = hint.replaceAll("[^a-zA-Z0-9]", "-") + "-" + rules.size();
    rules.put(name, body);
    byBody.put(body, name);
    return name;
  }

  /** Adds a rule under a name of the caller's choosing (forward references: the body may name rules added later). */
  void define(String name, String body) {
    rules.put(name, body);
  }

  /** The grammar, with {@code root} as its start. */
  String text(String root) {
    StringBuilder b = new StringBuilder("root ::= ").append(root).append('\n');
    rules.forEach((name, body) -> b.append(name).append(" ::= ").append(body).append('\n'));
    return b.toString();
  }

  /** {@code s} as a GBNF string literal. */
  static String literal(String s) {
    StringBuilder b = new StringBuilder("\"");
    s.codePoints()
        .forEach(c -> {
          switch (c) {
            case '"' -> b.append("\\\"");
            case '\\' -> b.append("\\\\");
            case '\n' -> b.append("\\n");
            case '\r' -> b.append("\\r");
            case '\t' -> b.append("\\t");
            default -> {
              if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02X", c));
              } else {
                b.appendCodePoint(c);
              }
            }
          }
        });
    return b.append('"').toString();
  }
}
