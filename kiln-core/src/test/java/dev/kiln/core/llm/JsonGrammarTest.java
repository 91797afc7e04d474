package dev.kiln.core.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonGrammarTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonLimits LIMITS = JsonLimits.defaults();

  private static String grammar(String schema) throws Exception {
    return new OutputFormat.JsonSchema("response_format.json_schema.schema", JSON.readTree(schema)).grammar(LIMITS);
  }

  @Test
  void unsupportedKeywordsAreRefusedByNameAndPlace() {
    assertThatThrownBy(() ->
            grammar(
                """
                {"type": "object", "properties": {"zip": {"type": "string", "pattern": "^[0-9]+$"},
                 "when": {"type": "string", "format": "date"}, "n": {"type": "number", "minimum": 0}},
                 "oneOf": [{}]}\
                """))
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT))
        .hasMessageContaining("response_format.json_schema.schema: unsupported schema features:")
        .hasMessageContaining("oneOf (at /)")
        .hasMessageContaining("pattern (at /properties/zip)")
        .hasMessageContaining("format (at /properties/when)")
        .hasMessageContaining("minimum/maximum on number (at /properties/n)");
  }

  @Test
  void schemasBeyondTheLimitsAreRefused() {
    String deep = "{\"type\": \"string\"}";
    for (int i = 0; i < 9; i++) {
      deep = "{\"type\": \"array\", \"items\": " + deep + "}";
    }
    String tooDeep = deep;
    assertThatThrownBy(() -> grammar(tooDeep)).hasMessageContaining("nests deeper than 8 levels");
    String big = "{\"enum\": [\"" + "x".repeat(20_000) + "\"]}";
    assertThatThrownBy(() -> grammar(big)).hasMessageContaining("bytes (expected: at most 16384)");
    String selfRef =
        "{\"$defs\": {\"n\": {\"type\": \"array\", \"items\": {\"$ref\": \"#/$defs/n\"}}}, \"$ref\": \"#/$defs/n\"}";
    assertThatThrownBy(() -> grammar(selfRef)).hasMessageContaining("nests deeper than");
    assertThatThrownBy(() -> grammar("{\"$ref\": \"http://example.com/s.json\"}")).hasMessageContaining("$defs");
    assertThatThrownBy(() -> grammar("{\"type\": \"string\", \"minLength\": 1000}")).hasMessageContaining("minLength");
    assertThatThrownBy(() -> grammar("{\"type\": \"object\", \"required\": [\"a\"], \"properties\": {\"b\": {}}}"))
        .hasMessageContaining("required property 'a' not in properties");
    assertThatThrownBy(() -> grammar("[1]")).hasMessageContaining("must be an object");
    String anyOfs = "{\"anyOf\": [".repeat(9) + "{}" + "]}".repeat(9);
    assertThatThrownBy(() -> grammar(anyOfs)).hasMessageContaining("nests deeper than 8 levels");
    assertThatThrownBy(() -> new JsonLimits(16384, 8, 1 << 20, 32)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> grammar("{\"type\": \"date\"}")).hasMessageContaining("unknown type 'date'");
  }

  @Test
  void stringsAndArraysAreBoundedEvenWhenTheSchemaIsNot() throws Exception {
    String g = grammar("{\"type\": \"array\", \"items\": {\"type\": \"string\"}}");
    assertThat(g).contains("{0,256}").contains("{0,31}").doesNotContain("*").doesNotContain("+");
    assertThat(grammar("{\"type\": \"string\", \"maxLength\": 5}")).contains("{0,5}");
  }

  @Test
  void objectsListTheirPropertiesInOrderWithRequiredOnesAlways() throws Exception {
    String g =
        grammar(
            """
            {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "boolean"}},
             "required": ["b"], "additionalProperties": false}\
            """);
    assertThat(g).contains("\"\\\"a\\\": \"").contains("\"\\\"b\\\": \"").contains("(\"true\" | \"false\")");
    assertThat(new OutputFormat.Text().grammar(LIMITS)).isEmpty();
  }

  @Test
  void toolParametersMustBeAnObjectSchema() throws Exception {
    assertThatThrownBy(() -> ToolGrammar.calls(List.of(new Tool("f", "", "{\"type\": \"string\"}")), true, LIMITS))
        .hasMessageContaining("tools[0].function.parameters must be a JSON schema of type object");
    assertThat(ToolGrammar.calls(List.of(new Tool("f", "", "{}")), false, LIMITS))
        .contains("<tool_call>")
        .contains("\\\"name\\\": \\\"f\\\"");
  }
}
