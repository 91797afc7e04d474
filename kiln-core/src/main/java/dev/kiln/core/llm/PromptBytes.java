package dev.kiln.core.llm;

/** A prompt's size in UTF-8 bytes, counted from its characters without encoding it (it may be megabytes). */
final class PromptBytes {
  private PromptBytes() {}

  /**
   * A completion prompt's bytes, or the sum of a chat's message contents', their tool calls' and its tools' names,
   * descriptions and parameter schemas (roles and template aside): all of it reaches the template.
   */
  static long of(Prompt prompt) {
    return switch (prompt) {
      case Prompt.Text t -> utf8(t.text());
      case Prompt.Chat c ->
          c.messages().stream().mapToLong(PromptBytes::of).sum()
              + c.tools().stream().mapToLong(t -> utf8(t.name()) + utf8(t.description()) + utf8(t.parameters())).sum();
    };
  }

  private static long of(ChatMessage m) {
    long n = utf8(m.content()) + utf8(m.toolCallId());
    for (ToolCall call : m.toolCalls()) {
      n += utf8(call.id()) + utf8(call.name()) + utf8(call.arguments());
    }
    return n;
  }

  static long utf8(CharSequence s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4; // one code point beyond the BMP, two chars
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }
}
