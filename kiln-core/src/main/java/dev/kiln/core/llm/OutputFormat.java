package dev.kiln.core.llm;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/** What the text of an answer must be: free, any JSON object, or a document valid against a JSON schema. */
public sealed interface OutputFormat {
  /** Free text. */
  record Text() implements OutputFormat {}

  /** Any JSON object ({@code response_format} {@code json_object}). */
  record JsonObject() implements OutputFormat {}

  /**
   * A document valid against {@code schema}.
   *
   * @param field the request field that held the schema, named in errors
   */
  record JsonSchema(String field, JsonNode schema) implements OutputFormat {
    public JsonSchema {
      Objects.requireNonNull(field, "field");
      Objects.requireNonNull(schema, "schema");
    }
  }

  /**
   * The GBNF grammar that holds the model to this format; "" for free text.
   *
   * @throws dev.kiln.core.error.KilnException INVALID_ARGUMENT for a schema beyond {@code limits} or with unsupported
   *     keywords (named)
   */
  default String grammar(JsonLimits limits) {
    GbnfRules rules = new GbnfRules();
    return this instanceof Text ? "" : rules.text(JsonGrammar.expression(rules, this, limits));
  }
}
