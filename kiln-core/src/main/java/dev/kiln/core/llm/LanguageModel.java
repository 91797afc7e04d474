package dev.kiln.core.llm;

import dev.kiln.core.error.KilnException;
import java.util.List;
import java.util.Optional;

/**
 * A loaded language model. Several generations may run at once: the engine decodes them together (parallel slots)
 * rather than queueing them one by one.
 */
public interface LanguageModel extends AutoCloseable {
  /** The conversation as one prompt, through the chat template in the model's metadata. */
  String applyChatTemplate(List<ChatMessage> messages);

  /**
   * A conversation that may list tools and carry tool calls and tool results, through the chat template. Engines that
   * cannot format tools refuse them (INVALID_ARGUMENT).
   */
  default String applyChatTemplate(List<ChatMessage> messages, List<Tool> tools) {
    if (!tools.isEmpty() || messages.stream().anyMatch(ChatMessage::hasToolParts)) {
      throw KilnException.invalid("'tools': this model's engine cannot format tools or tool messages");
    }
    return applyChatTemplate(messages);
  }

  /**
   * Starts generating; returns at once. Text arrives on {@code sink}; {@link Handle#cancel()} stops it (the slot is
   * freed) and ends it with {@link FinishReason#CANCELLED}.
   */
  Handle generate(Generation generation, TokenSink sink);

  /** Tokens {@code text} encodes to. */
  int countTokens(String text);

  /** One vector per input. */
  List<float[]> embed(List<String> inputs);

  /** Context length the model runs with (prompt + completion). */
  int contextLength();

  /**
   * Why it cannot serve now though loaded (its engine's process died and is restarting, or gave up); empty while it
   * serves. Shown as the model's state and reason wherever model state is shown.
   */
  default Optional<String> fault() {
    return Optional.empty();
  }

  @Override
  void close();

  /** A running generation. */
  interface Handle {
    void cancel();
  }
}
