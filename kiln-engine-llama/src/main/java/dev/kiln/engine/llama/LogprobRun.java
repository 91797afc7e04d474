package dev.kiln.engine.llama;

import com.sun.jna.Pointer;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.llm.FinishReason;
import dev.kiln.core.llm.Generation;
import dev.kiln.core.llm.LanguageModel;
import dev.kiln.core.llm.TokenLogprob;
import dev.kiln.core.llm.TokenSink;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One generation that reports each token's log-probability, decoded token by token through {@link NativeLlama}. Text
 * goes out a token at a time with that token's entry, except while it may be the start of a stop string: then the
 * tokens wait, and go out together once ruled out, or are dropped from the first stop string on. A generation with a
 * grammar (structured output, tool calls) picks only among the tokens llama.cpp's grammar sampler allows.
 */
final class LogprobRun implements Runnable, LanguageModel.Handle {
  private static final Logger LOG = Logger.getLogger(LogprobRun.class.getName());

  private final NativeLlama llama;
  private final Generation generation;
  private final TokenSink sink;
  private final int contextLength;
  private final Consumer<LanguageModel.Handle> finished;
  private volatile boolean cancelled;

  /** A decoded token not sent yet, with the text it adds (empty while it ends inside a UTF-8 character). */
  private record Held(TokenLogprob entry, String text) {}

  /** Tokens decoded but not sent, while a stop string may be starting; their text joined. */
  private final List<Held> held = new ArrayList<>();

  private final StringBuilder heldText = new StringBuilder();

  /** The bytes of a character a token began and the next ones finish. */
  private final Utf8Joiner joiner = new Utf8Joiner();

  LogprobRun(
      NativeLlama llama,
      Generation generation,
      TokenSink sink,
      int contextLength,
      Consumer<LanguageModel.Handle> finished) {
    this.llama = llama;
    this.generation = generation;
    this.sink = sink;
    this.contextLength = contextLength;
    this.finished = finished;
  }

  @Override
  public void cancel() {
    cancelled = true;
  }

  @Override
  public void run() {
    try {
      DecodeGate.PROCESS.enter(DecodeGate.C_API);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      finished.accept(this);
      sink.done(FinishReason.CANCELLED, 0, 0);
      return;
    }
    try {
      decode();
    } finally {
      DecodeGate.PROCESS.exit(DecodeGate.C_API);
    }
  }

  private void decode() {
    Pointer context = null;
    NativeGrammar grammar = null;
    try {
      int[] prompt = llama.tokenize(generation.prompt());
      int limit = Math.min(generation.maxTokens(), contextLength - prompt.length);
      if (cancelled) {
        sink.done(FinishReason.CANCELLED, prompt.length, 0);
        return;
      }
      context = llama.context();
      grammar = generation.grammar().isEmpty() ? null : llama.grammar(generation.grammar());
      TokenChooser chooser = new TokenChooser(generation);
      float[] logits = llama.decode(context, prompt);
      int completion = 0;
      while (true) {
        if (cancelled) {
          sink.done(FinishReason.CANCELLED, prompt.length, completion);
          return;
        }
        double[] logprobs = TokenChooser.logSoftmax(logits);
        int token = chooser.choose(grammar == null ? logprobs : grammar.allowed(logprobs));
        if (llama.endsGeneration(token)) {
          flush();
          sink.done(FinishReason.STOP, prompt.length, completion);
          return;
        }
        if (grammar != null) {
          grammar.accept(token);
        }
        completion++;
        if (add(token, logprobs)) {
          sink.done(FinishReason.STOP, prompt.length, completion);
          return;
        }
        if (completion >= limit) {
          flush();
          sink.done(FinishReason.LENGTH, prompt.length, completion);
          return;
        }
        logits = llama.decode(context, new int[] {token});
      }
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "generation with logprobs failed", e);
      sink.failed(KilnException.from(e));
    } finally {
      if (grammar != null) {
        grammar.close();
      }
      if (context != null) {
        llama.release(context);
      }
      finished.accept(this);
    }
  }

  /** Holds the token, sends what can no longer start a stop string; true when a stop string ended the text. */
  private boolean add(int token, double[] logprobs) {
    byte[] bytes = llama.piece(token);
    List<TokenLogprob> top = new ArrayList<>();
    for (int id : TokenChooser.top(logprobs, Math.max(generation.logprobs(), 0))) {
      byte[] b = llama.piece(id);
      top.add(new TokenLogprob(new String(b, StandardCharsets.UTF_8), b, logprobs[id], List.of()));
    }
    String text = joiner.add(bytes);
    held.add(new Held(new TokenLogprob(new String(bytes, StandardCharsets.UTF_8), bytes, logprobs[token], top), text));
    heldText.append(text);
    int stop = firstStop();
    if (stop >= 0) {
      sendUpTo(stop);
      return true;
    }
    sendUpTo(heldText.length() - longestStopPrefix());
    return false;
  }

  private void flush() {
    sendUpTo(heldText.length());
  }

  /** Sends the held tokens that end at or before {@code end} of the held text; drops the rest at a stop. */
  private void sendUpTo(int end) {
    StringBuilder text = new StringBuilder();
    List<TokenLogprob> sent = new ArrayList<>();
    int at = 0;
    while (!held.isEmpty() && at + held.get(0).text().length() <= end) {
      Held t = held.remove(0);
      at += t.text().length();
      text.append(t.text());
      sent.add(t.entry());
    }
    heldText.delete(0, at);
    if (!sent.isEmpty()) {
      sink.tokens(text.toString(), sent);
    }
  }

  private int firstStop() {
    int first = -1;
    for (String s : generation.stop()) {
      int i = heldText.indexOf(s);
      if (i >= 0 && (first < 0 || i < first)) {
        first = i;
      }
    }
    return first;
  }

  /** The longest end of the held text that a stop string starts with. */
  private int longestStopPrefix() {
    int longest = 0;
    for (String s : generation.stop()) {
      for (int n = Math.min(s.length() - 1, heldText.length()); n > longest; n--) {
        if (heldText.substring(heldText.length() - n).equals(s.substring(0, n))) {
          longest = n;
          break;
        }
      }
    }
    return longest;
  }
}
