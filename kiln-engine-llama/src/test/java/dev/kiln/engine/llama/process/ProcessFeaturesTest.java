package dev.kiln.engine.llama.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.kiln.core.llm.ChatMessage;
import dev.kiln.core.llm.ChoiceSink;
import dev.kiln.core.llm.FinishReason;
import dev.kiln.core.llm.Generation;
import dev.kiln.core.llm.JsonLimits;
import dev.kiln.core.llm.LanguageEngine;
import dev.kiln.core.llm.LanguageModels;
import dev.kiln.core.llm.LlmSettings;
import dev.kiln.core.llm.OutputFormat;
import dev.kiln.core.llm.Prompt;
import dev.kiln.core.llm.ServedLanguageModel;
import dev.kiln.core.llm.TokenLogprob;
import dev.kiln.core.llm.Tool;
import dev.kiln.core.llm.ToolCall;
import dev.kiln.core.repository.LanguageSource;
import dev.kiln.engine.llama.LlamaEngine;
import dev.kiln.engine.llama.LlamaOptions;
import dev.kiln.engine.llama.TinyLlama;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the other language-model features add crosses the child-process boundary: a chat with tools and tool messages
 * (templated in the child), a JSON-schema grammar, log probabilities and two seeded choices, served through the core
 * (its queue, per-key fairness and charging stay in this process). The answers equal the in-process engine's.
 */
class ProcessFeaturesTest {
  private static final String SCHEMA =
      """
      {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
       "required": ["name", "age"], "additionalProperties": false}\
      """;

  @TempDir Path dir;

  /** Each choice's text, log probabilities and finish, and the charge. */
  record Answer(List<String> texts, List<List<TokenLogprob>> logprobs, List<String> ends, List<String> charged) {}

  Answer ask(LanguageEngine engine, Path file) throws Exception {
    List<String> charged = new CopyOnWriteArrayList<>();
    LanguageModels models =
        new LanguageModels(
            () -> List.of(new LanguageSource("tiny", 1, file)),
            engine,
            new LlmSettings(512, 2, 8, Duration.ofSeconds(60), Duration.ofSeconds(5), 1, 400, 0, 4),
            (who, model, tokens) -> charged.add(who + " " + tokens),
            new SimpleMeterRegistry());
    try {
      ServedLanguageModel model = models.get("tiny").orElseThrow().model();
      List<Tool> tools =
          List.of(new Tool("get_time", "The time in a zone", "{\"type\": \"object\", \"properties\": {}}"));
      List<ChatMessage> chat =
          List.of(
              new ChatMessage("user", "who are you?"),
              new ChatMessage("assistant", "", List.of(new ToolCall("call_1", "get_time", "{}")), ""),
              new ChatMessage("tool", "12:00", List.of(), "call_1"));
      String grammar =
          new OutputFormat.JsonSchema("p", new ObjectMapper().readTree(SCHEMA))
              .grammar(new JsonLimits(16 * 1024, 4, 12, 3));
      Generation g = new Generation("", 300, 1.0, 1, 11L, List.of(), null, grammar, 2);
      List<StringBuilder> texts = List.of(new StringBuilder(), new StringBuilder());
      List<List<TokenLogprob>> logprobs = List.of(new ArrayList<>(), new ArrayList<>());
      String[] ends = new String[2];
      CompletableFuture<String> done = new CompletableFuture<>();
      model.submit(
          new Prompt.Chat(chat, tools),
          g,
          2,
          "key-a",
          new ChoiceSink() {
            @Override
            public void text(int index, String piece, List<TokenLogprob> lp) {
              texts.get(index).append(piece);
              logprobs.get(index).addAll(lp);
            }

            @Override
            public void choiceDone(int index, FinishReason reason, int completionTokens) {
              ends[index] = reason + " " + completionTokens;
            }

            @Override
            public void done(int promptTokens, int completionTokens) {
              done.complete(promptTokens + "+" + completionTokens);
            }

            @Override
            public void failed(Throwable error) {
              done.completeExceptionally(error);
            }
          });
      done.get(120, TimeUnit.SECONDS);
      return new Answer(
          texts.stream().map(StringBuilder::toString).toList(), logprobs, List.of(ends), List.copyOf(charged));
    } finally {
      models.close();
    }
  }

  @Test
  void toolsSchemaLogprobsAndTwoChoicesAnswerInTheChildAsInProcess() throws Exception {
    Path file = dir.resolve("tiny.gguf");
    TinyLlama.write(file, 42);
    Answer child =
        ask(
            new ProcessEngine(new LlamaOptions(0, 1, 1), ProcessOptions.defaults().withWorkFolder(dir.resolve("work"))),
            file);
    Schema schema =
        SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(SCHEMA, InputFormat.JSON);
    for (int i = 0; i < 2; i++) {
      String text = child.texts().get(i);
      assertThat(schema.validate(text, InputFormat.JSON)).as(text).isEmpty();
      assertThat(child.ends().get(i)).startsWith("STOP ").endsWith(" " + child.logprobs().get(i).size());
      StringBuilder bytes = new StringBuilder();
      child.logprobs().get(i).forEach(t -> bytes.append(new String(t.bytes(), StandardCharsets.UTF_8)));
      assertThat(bytes.toString()).isEqualTo(text);
      assertThat(child.logprobs().get(i)).allSatisfy(t -> assertThat(t.top()).hasSize(2));
    }
    assertThat(child.texts().get(0)).isNotEqualTo(child.texts().get(1)); // seeds 11 and 12
    assertThat(child.charged()).hasSize(1).allMatch(c -> c.startsWith("key-a "));

    Answer local = ask(new LlamaEngine(new LlamaOptions(0, 1, 1)), file);
    assertThat(child.texts()).isEqualTo(local.texts());
    assertThat(child.ends()).isEqualTo(local.ends());
    assertThat(child.charged()).isEqualTo(local.charged()); // the prompt, templated with its tools, counts the same
  }
}
