package dev.kiln.engine.llama;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.kiln.core.llm.FinishReason;
import dev.kiln.core.llm.Generation;
import dev.kiln.core.llm.JsonLimits;
import dev.kiln.core.llm.LanguageModel;
import dev.kiln.core.llm.OutputFormat;
import dev.kiln.core.llm.Tool;
import dev.kiln.core.llm.ToolCallText;
import dev.kiln.core.llm.ToolGrammar;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The random-weight model, held by Kiln's grammars, writes documents that parse and validate against their schema
 * (checked by a validator nobody here wrote) for every schema, seed and temperature tried; without the grammar it
 * writes words.
 */
class StructuredOutputTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

  /** Small enough bounds that every document fits in the tokens given: the test model never ends a string itself. */
  private static final JsonLimits LIMITS = new JsonLimits(16 * 1024, 4, 12, 3);

  private static final List<String> SCHEMAS_TRIED =
      List.of(
          """
          {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"},
           "ok": {"type": "boolean"}}, "required": ["name", "age", "ok"], "additionalProperties": false}\
          """,
          """
          {"type": "object", "properties": {"color": {"enum": ["red", "green", "blue"]},
           "size": {"type": "integer", "minimum": 1, "maximum": 5}, "note": {"type": ["string", "null"]}},
           "required": ["color", "size"]}\
          """,
          """
          {"type": "object", "properties": {"tags": {"type": "array", "items": {"type": "string", "maxLength": 5},
           "minItems": 1, "maxItems": 3}, "scores": {"type": "array", "items": {"type": "number"}}},
           "required": ["tags", "scores"]}\
          """,
          """
          {"type": "object", "$defs": {"point": {"type": "object", "properties": {"x": {"type": "number"},
           "y": {"type": "number"}}, "required": ["x", "y"]}},
           "properties": {"from": {"$ref": "#/$defs/point"}, "to": {"$ref": "#/$defs/point"},
           "meta": {"type": "object", "properties": {"kind": {"const": "line"}, "extra": {}}, "required": ["kind"]},
           "any": {"anyOf": [{"type": "integer"}, {"type": "array", "items": {"type": "boolean"}}]}},
           "required": ["from", "to", "meta", "any"]}\
          """,
          """
          {"type": "object", "properties": {"say \\"hi\\"\\n": {"enum": ["a\\"b", "é\\t€", 3, null, {"k": [1]}]},
           "ünï": {"const": "\\\\"}}, "required": ["say \\"hi\\"\\n", "ünï"]}\
          """,
          """
          {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "integer", "minimum": 0},
           "free": {"type": "object"}}, "required": ["id"]}, "maxItems": 2}\
          """);

  @TempDir static Path dir;
  static LanguageModel model;

  @BeforeAll
  static void load() {
    Path file = dir.resolve("tiny.gguf");
    TinyLlama.write(file, 42);
    model = new LlamaEngine(new LlamaOptions(512, 2, 2)).load(file);
  }

  @AfterAll
  static void close() {
    model.close();
  }

  private static Collected.Result run(String grammar, double temperature, long seed) throws Exception {
    Collected sink = new Collected();
    model.generate(new Generation("hello", 400, temperature, 1, seed, List.of(), null, grammar), sink);
    return sink.await();
  }

  @Test
  void everyOutputParsesAndValidatesAgainstItsSchema() throws Exception {
    for (String text : SCHEMAS_TRIED) {
      JsonNode schemaNode = JSON.readTree(text);
      Schema schema = SCHEMAS.getSchema(text, InputFormat.JSON);
      String grammar = new OutputFormat.JsonSchema("schema", schemaNode).grammar(LIMITS);
      for (double temperature : new double[] {0, 1.0}) {
        for (long seed = 1; seed <= 3; seed++) {
          Collected.Result r = run(grammar, temperature, seed);
          assertThat(r.reason()).as(r.text()).isEqualTo(FinishReason.STOP);
          JsonNode doc = JSON.readTree(r.text());
          assertThat(schema.validate(r.text(), InputFormat.JSON)).as(schemaNode + "\n" + doc).isEmpty();
        }
      }
    }
  }

  @Test
  void jsonObjectGivesAnObject() throws Exception {
    String grammar = new OutputFormat.JsonObject().grammar(LIMITS);
    for (long seed = 1; seed <= 3; seed++) {
      Collected.Result r = run(grammar, 1.0, seed);
      assertThat(r.reason()).isEqualTo(FinishReason.STOP);
      assertThat(JSON.readTree(r.text()).isObject()).as(r.text()).isTrue();
    }
  }

  @Test
  void withoutAGrammarTheModelWritesWords() throws Exception {
    Collected.Result r = run("", 0, 1);
    assertThat(r.reason()).isEqualTo(FinishReason.LENGTH);
    assertThat(r.text()).doesNotStartWith("{");
  }

  @Test
  void requiredToolCallsParseAndTheirArgumentsValidate() throws Exception {
    String weather =
        """
        {"type": "object", "properties": {"city": {"type": "string"}, "unit": {"enum": ["c", "f"]}},
         "required": ["city", "unit"]}\
        """;
    String time =
        "{\"type\": \"object\", \"properties\": {\"zone\": {\"type\": \"string\"}}, \"required\": [\"zone\"]}";
    List<Tool> tools = List.of(new Tool("get_weather", "", weather), new Tool("get_time", "", time));
    String grammar = ToolGrammar.calls(tools, true, LIMITS);
    for (long seed = 1; seed <= 4; seed++) {
      Collected.Result r = run(grammar, 1.0, seed);
      assertThat(r.reason()).as(r.text()).isEqualTo(FinishReason.STOP);
      ToolCallText reader = new ToolCallText();
      reader.feed(r.text());
      assertThat(reader.isCalls()).isTrue();
      assertThat(reader.calls()).as(r.text()).isNotEmpty();
      for (ToolCallText.Call c : reader.calls()) {
        String schema = c.name().equals("get_weather") ? weather : time;
        assertThat(c.name()).isIn("get_weather", "get_time");
        assertThat(SCHEMAS.getSchema(schema, InputFormat.JSON).validate(c.arguments(), InputFormat.JSON))
            .as(c.arguments())
            .isEmpty();
      }
    }
  }

  @Test
  void autoOnTheTestModelAnswersInText() throws Exception {
    List<Tool> tools = List.of(new Tool("get_time", "", "{}"));
    String grammar = ToolGrammar.callsOr(new OutputFormat.Text(), tools, true, LIMITS);
    Collected.Result r = run(grammar, 0, 1);
    ToolCallText reader = new ToolCallText();
    reader.feed(r.text());
    assertThat(reader.isCalls()).isFalse();
    assertThat(r.text()).isEqualTo(run("", 0, 1).text()); // the grammar allowed what the model wanted anyway
  }
}
