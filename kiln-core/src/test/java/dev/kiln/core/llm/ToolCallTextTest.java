package dev.kiln.core.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ToolCallTextTest {
  private static final String TWO_CALLS =
      "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"P}a\\\"ris\", \"n\": [1, {\"x\": 2}]}}\n"
          + "</tool_call>\n<tool_call>\n{\"name\": \"now\", \"arguments\": {}}\n</tool_call>";

  @Test
  void readsCallsWhateverThePiecesAre() {
    for (int size = 1; size <= TWO_CALLS.length(); size += 3) {
      ToolCallText reader = new ToolCallText();
      List<ToolCallText.Event> events = new ArrayList<>();
      for (int i = 0; i < TWO_CALLS.length(); i += size) {
        events.addAll(reader.feed(TWO_CALLS.substring(i, Math.min(TWO_CALLS.length(), i + size))));
      }
      assertThat(reader.isCalls()).isTrue();
      assertThat(reader.calls())
          .containsExactly(
              new ToolCallText.Call("get_weather", "{\"city\": \"P}a\\\"ris\", \"n\": [1, {\"x\": 2}]}"),
              new ToolCallText.Call("now", "{}"));
      assertThat(events).contains(new ToolCallText.Event.CallStarted(0, "get_weather"));
      assertThat(events).contains(new ToolCallText.Event.CallStarted(1, "now"));
      StringBuilder first = new StringBuilder();
      events.stream()
          .filter(e -> e instanceof ToolCallText.Event.Arguments a && a.index() == 0)
          .forEach(e -> first.append(((ToolCallText.Event.Arguments) e).fragment()));
      assertThat(first).hasToString(reader.calls().get(0).arguments());
      assertThat(events).noneMatch(e -> e instanceof ToolCallText.Event.Content);
    }
  }

  @Test
  void textThatDoesNotStartAsACallIsContent() {
    ToolCallText reader = new ToolCallText();
    assertThat(reader.feed("hello <tool_call>")).containsExactly(new ToolCallText.Event.Content("hello <tool_call>"));
    assertThat(reader.isCalls()).isFalse();
    assertThat(reader.calls()).isEmpty();
  }

  @Test
  void aCallCutOffIsNotComplete() {
    ToolCallText reader = new ToolCallText();
    reader.feed(TWO_CALLS.substring(0, 60));
    assertThat(reader.isCalls()).isTrue();
    assertThat(reader.calls()).isEmpty();
  }
}
