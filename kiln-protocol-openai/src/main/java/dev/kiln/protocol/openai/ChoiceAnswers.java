package dev.kiln.protocol.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.llm.ChoiceSink;
import dev.kiln.core.llm.FinishReason;
import dev.kiln.core.llm.TokenLogprob;
import dev.kiln.http.ErrorStyle;
import dev.kiln.http.RestResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The sinks that turn a request's choices into OpenAI's answers: a whole body once every choice ended, or a stream
 * whose chunks name their choice's {@code index} (choices interleave as their slots produce tokens). Each choice's body
 * or chunk is {@link OpenAiChunks}' one-choice shape with its index and, when asked for, its log probabilities. Each
 * choice reads its own text through an {@link AnswerText} of its own, so every choice may make its own tool calls.
 */
final class ChoiceAnswers {
  private ChoiceAnswers() {}

  /** Sets the index of a one-choice body or chunk, and its log probabilities when there are any. */
  static ObjectNode indexed(ObjectNode body, int index, OpenAiChunks chunks, List<TokenLogprob> lp, int offset) {
    ObjectNode choice = (ObjectNode) body.get("choices").get(0);
    choice.put("index", index);
    if (!lp.isEmpty()) {
      choice.set("logprobs", chunks.chat() ? OpenAiLogprobs.chat(lp) : OpenAiLogprobs.legacy(lp, offset));
    }
    return body;
  }

  private static AnswerText[] texts(int n, OpenAiChunks chunks, boolean readsCalls) {
    AnswerText[] text = new AnswerText[n];
    for (int i = 0; i < n; i++) {
      text[i] = new AnswerText(chunks, readsCalls);
    }
    return text;
  }

  /** Collects every choice; completes {@code answer} with the whole body once all ended. */
  static ChoiceSink whole(
      int n, OpenAiChunks chunks, boolean readsCalls, OpenAiChoosing choosing, CompletableFuture<RestResponse> answer) {
    AnswerText[] text = texts(n, chunks, readsCalls);
    List<List<TokenLogprob>> logprobs = new ArrayList<>();
    FinishReason[] reasons = new FinishReason[n];
    for (int i = 0; i < n; i++) {
      logprobs.add(new ArrayList<>());
    }
    return new ChoiceSink() {
      @Override
      public void text(int index, String piece, List<TokenLogprob> lp) {
        text[index].add(piece); // one choice's calls come from its one slot thread, in order
        logprobs.get(index).addAll(lp);
      }

      @Override
      public void choiceDone(int index, FinishReason reason, int completionTokens) {
        reasons[index] = reason;
      }

      @Override
      public void done(int promptTokens, int completionTokens) {
        ObjectNode out = null;
        ArrayNode choices = OpenAiRequests.JSON.createArrayNode();
        for (int i = 0; i < n; i++) {
          ObjectNode one = text[i].complete(reasons[i], promptTokens, completionTokens);
          indexed(one, i, chunks, logprobs.get(i), 0);
          if (choosing.wantsLogprobs() && logprobs.get(i).isEmpty()) {
            // An empty answer still says it has no tokens, in the asked-for shape.
            ((ObjectNode) one.get("choices").get(0))
                .set("logprobs", chunks.chat() ? OpenAiLogprobs.chat(List.of()) : OpenAiLogprobs.legacy(List.of(), 0));
          }
          choices.add(one.get("choices").get(0));
          out = out == null ? one : out;
        }
        out.set("choices", choices);
        answer.complete(RestResponse.json(HttpResponseStatus.OK, out.toString().getBytes(StandardCharsets.UTF_8)));
      }

      @Override
      public void failed(Throwable error) {
        answer.completeExceptionally(error);
      }
    };
  }

  /**
   * Streams every choice as it comes: a finish chunk per choice as it ends, then (asked for) the usage of all, and
   * {@code [DONE]}. {@code head} completes with {@code events} once the first choice started.
   */
  static ChoiceSink streamed(
      int n,
      PendingStream out,
      OpenAiChunks chunks,
      boolean readsCalls,
      boolean usage,
      CompletableFuture<RestResponse> head,
      RestResponse events) {
    AnswerText[] text = texts(n, chunks, readsCalls);
    List<List<TokenLogprob>> pending = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      pending.add(new ArrayList<>());
    }
    int[] offsets = new int[n];
    AtomicBoolean finished = new AtomicBoolean();
    return new ChoiceSink() {
      @Override
      public void started() {
        head.complete(events);
      }

      @Override
      public void text(int index, String piece, List<TokenLogprob> lp) {
        // A piece a tool call's reader holds back makes no chunk yet: its tokens' entries go with the next chunk.
        List<TokenLogprob> entries = pending.get(index);
        entries.addAll(lp);
        for (ObjectNode chunk : text[index].add(piece)) {
          out.write(data(indexed(chunk, index, chunks, List.copyOf(entries), offsets[index])));
          entries.clear();
        }
        offsets[index] += piece.length();
      }

      @Override
      public void choiceDone(int index, FinishReason reason, int completionTokens) {
        if (reason != FinishReason.CANCELLED) {
          finished.set(true);
          out.write(data(indexed(text[index].finishChunk(reason), index, chunks, List.copyOf(pending.get(index)), 0)));
        }
      }

      @Override
      public void done(int prompt, int completion) {
        head.complete(events); // cancelled while queued: an empty stream, if anyone still reads it
        if (finished.get()) {
          if (usage) {
            out.write(data(chunks.usageChunk(prompt, completion)));
          }
          out.write("data: [DONE]\n\n");
        }
        out.end();
      }

      @Override
      public void failed(Throwable error) {
        if (head.completeExceptionally(error)) {
          return; // before the stream began: answered with its status instead
        }
        // The head (200) is sent: the error can only be an event, in the envelope the status would have carried.
        out.write(data(ErrorStyle.openAiEnvelope(error)));
        out.end();
      }
    };
  }

  static String data(Object chunk) {
    return "data: " + chunk + "\n\n";
  }
}
