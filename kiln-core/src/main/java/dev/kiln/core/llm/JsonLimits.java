package dev.kiln.core.llm;

/**
 * Bounds on structured output (a {@code response_format} JSON schema, a tool's parameters). The grammar Kiln derives
 * from a schema is finite: every string, array and free-form object in it has an end, so even a model that would never
 * close a string on its own (the random-weight test model) writes a document that parses, once it has the tokens.
 *
 * @param schemaBytes longest schema accepted, as JSON text (larger: 400)
 * @param depth deepest nesting of objects and arrays a schema may describe (deeper: 400); free-form values (no type)
 *     nest only as deep as is left
 * @param stringLength longest string written where the schema sets no {@code maxLength} (or a larger one)
 * @param items most array items, or free-form object members, where the schema sets no {@code maxItems}
 */
public record JsonLimits(int schemaBytes, int depth, int stringLength, int items) {
  public JsonLimits {
    // Upper bounds: each level, character and item is a nested rule in llama.cpp's grammar.
    if (schemaBytes < 2
        || depth < 1
        || depth > 64
        || stringLength < 1
        || stringLength > 65_536
        || items < 1
        || items > 4096) {
      throw new IllegalArgumentException(
          "schema bytes "
              + schemaBytes
              + ", depth "
              + depth
              + ", string length "
              + stringLength
              + ", items "
              + items
              + " (expected: >= 2, 1 to 64, 1 to 65536, 1 to 4096)");
    }
  }

  /** 16 KiB of schema, 8 levels, strings of up to 256 characters, 32 items. */
  public static JsonLimits defaults() {
    return new JsonLimits(16 * 1024, 8, 256, 32);
  }
}
