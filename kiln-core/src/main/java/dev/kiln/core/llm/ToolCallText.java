package dev.kiln.core.llm;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads an answer written under a {@link ToolGrammar} as it streams: text (an answer that does not start with {@code
 * <}) or tool calls, told apart by the first character, then each call's name as soon as it is complete and its
 * arguments piece by piece, as OpenAI streams them. The grammar fixes every character around the arguments, so this is
 * a matcher of those literals and a JSON depth counter; text that breaks the format (only possible when the grammar was
 * not applied) ends the reading.
 */
public final class ToolCallText {
  /** What a piece of the answer added. */
  public sealed interface Event {
    record Content(String text) implements Event {}

    record CallStarted(int index, String name) implements Event {}

    record Arguments(int index, String fragment) implements Event {}
  }

  /** A call read completely. */
  public record Call(String name, String arguments) {}

  private static final String HEAD = ToolGrammar.OPEN + "{\"name\": \"";
  private static final String MIDDLE = ", \"arguments\": "; // after the quote that ended the name
  private static final String TAIL = "}" + ToolGrammar.CLOSE;

  private enum State {
    FIRST,
    TEXT,
    LITERAL,
    NAME,
    ARGUMENTS,
    BETWEEN,
    BROKEN
  }

  private State state = State.FIRST;
  private String literal = HEAD;
  private int matched;
  private State afterLiteral = State.NAME;
  private final StringBuilder name = new StringBuilder();
  private final StringBuilder arguments = new StringBuilder();
  private int depth;
  private boolean inString;
  private boolean escaped;
  private final List<Call> calls = new ArrayList<>();

  /** The events {@code piece} adds, in order. */
  public List<Event> feed(String piece) {
    List<Event> events = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    StringBuilder fragment = new StringBuilder();
    for (int i = 0; i < piece.length(); i++) {
      char c = piece.charAt(i);
      switch (state) {
        case FIRST -> {
          state = c == '<' ? State.LITERAL : State.TEXT;
          i--; // read it again in its state
        }
        case TEXT -> text.append(c);
        case LITERAL -> literal(c);
        case NAME -> {
          if (c == '"') {
            events.add(new Event.CallStarted(calls.size(), name.toString()));
            expect(MIDDLE, State.ARGUMENTS);
          } else {
            name.append(c);
          }
        }
        case ARGUMENTS -> {
          arguments.append(c);
          fragment.append(c);
          if (argumentsEnd(c)) {
            events.add(new Event.Arguments(calls.size(), fragment.toString()));
            fragment.setLength(0);
            calls.add(new Call(name.toString(), arguments.toString()));
            name.setLength(0);
            arguments.setLength(0);
            expect(TAIL, State.BETWEEN);
          }
        }
        case BETWEEN -> {
          if (c == '\n') {
            expect(HEAD, State.NAME);
          } else {
            state = State.BROKEN;
          }
        }
        case BROKEN -> {
          return events;
        }
      }
    }
    if (!text.isEmpty()) {
      events.add(new Event.Content(text.toString()));
    }
    if (!fragment.isEmpty()) {
      events.add(new Event.Arguments(calls.size(), fragment.toString()));
    }
    return events;
  }

  /** Whether the answer is tool calls (it started with {@code <}). */
  public boolean isCalls() {
    return state != State.FIRST && state != State.TEXT;
  }

  /** The calls read completely so far. */
  public List<Call> calls() {
    return List.copyOf(calls);
  }

  private void expect(String text, State next) {
    literal = text;
    matched = 0;
    afterLiteral = next;
    state = State.LITERAL;
  }

  private void literal(char c) {
    if (c != literal.charAt(matched)) {
      state = State.BROKEN;
      return;
    }
    if (++matched == literal.length()) {
      state = afterLiteral;
      depth = 0;
      inString = false;
      escaped = false;
    }
  }

  /** Tracks the arguments' JSON nesting; true when {@code c} closed the arguments object. */
  private boolean argumentsEnd(char c) {
    if (inString) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        inString = false;
      }
      return false;
    }
    switch (c) {
      case '"' -> inString = true;
      case '{', '[' -> depth++;
      case '}', ']' -> depth--;
      default -> {}
    }
    return depth == 0;
  }
}
