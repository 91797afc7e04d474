package dev.kiln.core.llm;

import java.util.List;
import java.util.Objects;

/**
 * What a request asks a model to continue: a text as is, or a conversation that the model's chat template turns into a
 * text. Templating and tokenising are native calls, so they run on the model's request pool, never on the caller's (an
 * HTTP event loop's) thread.
 */
public sealed interface Prompt {
  /** A completion prompt, used as is. */
  record Text(String text) implements Prompt {
    public Text {
      Objects.requireNonNull(text, "text");
    }
  }

  /**
   * A conversation, formatted by the model's chat template.
   *
   * @param tools the functions the template lists for the model (empty: none)
   */
  record Chat(List<ChatMessage> messages, List<Tool> tools) implements Prompt {
    public Chat {
      messages = List.copyOf(messages);
      tools = List.copyOf(tools);
    }

    public Chat(List<ChatMessage> messages) {
      this(messages, List.of());
    }
  }
}
