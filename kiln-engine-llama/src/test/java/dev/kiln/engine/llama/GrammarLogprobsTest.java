package dev.kiln.engine.llama;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Structured output with log-probabilities: such generations decode through llama.cpp's C API, and its grammar sampler
 * holds them to the schema as the binding holds the others; each token still has its entry.
 */
class GrammarLogprobsTest {
  private static final String SCHEMA =
      """
      {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"},
       "color": {"enum": ["red", "green"]}}, "required": ["name", "age", "color"], "additionalProperties": false}\
      """;

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

  /** The logprobs tests' runner on this class's model (a context of 512 for the schema prompts). */
  static LogprobsTest.Run run(Generation g) throws Exception {
    return LogprobsTest.run(model, g, 120);
  }

  @Test
  void schemaOutputWithLogprobsValidatesAndEveryTokenHasItsEntry() throws Exception {
    String grammar =
        new OutputFormat.JsonSchema("p", new ObjectMapper().readTree(SCHEMA))
            .grammar(new JsonLimits(16 * 1024, 4, 12, 3));
    Schema schema =
        SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(SCHEMA, InputFormat.JSON);
    for (double temperature : new double[] {0, 1.0}) {
      for (long seed = 1; seed <= 2; seed++) {
        Generation g = new Generation("hello", 300, temperature, 1, seed, List.of(), null, grammar, 2);
        LogprobsTest.Run r = run(g);
        assertThat(r.reason()).as(r.text()).isEqualTo(FinishReason.STOP);
        assertThat(schema.validate(r.text(), InputFormat.JSON)).as(r.text()).isEmpty();
        assertThat(r.tokens()).hasSize(r.completion());
        StringBuilder bytes = new StringBuilder();
        r.tokens().forEach(t -> bytes.append(new String(t.bytes(), StandardCharsets.UTF_8)));
        assertThat(bytes.toString()).isEqualTo(r.text());
        assertThat(r.tokens()).allSatisfy(t -> assertThat(t.top()).hasSize(2));
        // The same seed gives the same document again: the grammar keeps the sampler reproducible.
        assertThat(run(g).text()).isEqualTo(r.text());
      }
    }
  }

  @Test
  void withoutAGrammarTheSameGenerationWritesWords() throws Exception {
    LogprobsTest.Run r = run(new Generation("hello", 12, 0, 1, 1L, List.of(), null, 2));
    assertThat(r.text()).doesNotStartWith("{");
  }
}
