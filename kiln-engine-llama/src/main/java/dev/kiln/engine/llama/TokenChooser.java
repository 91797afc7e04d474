package dev.kiln.engine.llama;

import dev.kiln.core.llm.Generation;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks each next token from the model's logits as llama.cpp's default samplers would (top-k, top-p, temperature, a
 * seeded draw; greedy at temperature 0), and reports log-probabilities from the model's own distribution: the log
 * softmax of the raw logits, before temperature and truncation, as OpenAI and vLLM report them. Tokens a grammar rules
 * out come in as minus infinity and get no weight.
 */
final class TokenChooser {
  private final double temperature;
  private final double topP;
  private final int topK;
  private final SplittableRandom random;

  TokenChooser(Generation g) {
    this.temperature = g.temperature();
    this.topP = g.topP();
    this.topK = g.topK() == null ? 40 : Math.max(g.topK(), 0); // 40: llama.cpp's default; 0 means every token
    this.random = g.seed() == null ? new SplittableRandom() : new SplittableRandom(g.seed());
  }

  /** Natural-log probabilities of every token, from {@code logits}. */
  static double[] logSoftmax(float[] logits) {
    double max = Double.NEGATIVE_INFINITY;
    for (float l : logits) {
      max = Math.max(max, l);
    }
    double sum = 0;
    for (float l : logits) {
      sum += Math.exp(l - max);
    }
    double log = max + Math.log(sum);
    double[] out = new double[logits.length];
    for (int i = 0; i < logits.length; i++) {
      out[i] = Math.min(0, logits[i] - log); // rounding may leave a certain token a hair above 0
    }
    return out;
  }

  /** The {@code k} likeliest token ids, likeliest first (ties: the lower id first). */
  static int[] top(double[] logprobs, int k) {
    int n = Math.min(k, logprobs.length);
    int[] best = new int[n];
    int filled = 0;
    for (int id = 0; id < logprobs.length; id++) {
      int at = filled;
      while (at > 0 && logprobs[best[at - 1]] < logprobs[id]) {
        at--;
      }
      if (at < n) {
        System.arraycopy(best, at, best, at + 1, Math.min(filled, n - 1) - at);
        best[at] = id;
        filled = Math.min(filled + 1, n);
      }
    }
    return best;
  }

  /** The next token. */
  int choose(double[] logprobs) {
    if (temperature == 0) {
      return top(logprobs, 1)[0];
    }
    int[] candidates = topK > 0 ? top(logprobs, topK) : order(logprobs);
    double[] weights = new double[candidates.length];
    double total = 0;
    for (int i = 0; i < candidates.length; i++) {
      weights[i] = Math.exp((logprobs[candidates[i]] - logprobs[candidates[0]]) / temperature);
      total += weights[i];
    }
    int kept = candidates.length;
    double mass = 0;
    for (int i = 0; i < candidates.length; i++) { // top-p: the smallest head holding topP of the mass
      mass += weights[i] / total;
      if (mass >= topP) {
        kept = i + 1;
        break;
      }
    }
    double keptTotal = 0;
    for (int i = 0; i < kept; i++) {
      keptTotal += weights[i];
    }
    double draw = random.nextDouble() * keptTotal;
    for (int i = 0; i < kept; i++) {
      draw -= weights[i];
      if (draw < 0) {
        return candidates[i];
      }
    }
    // Rounding left the draw unspent: the last kept token with any weight (never one a grammar ruled out).
    for (int i = kept - 1; i > 0; i--) {
      if (weights[i] > 0) {
        return candidates[i];
      }
    }
    return candidates[0];
  }

  private static int[] order(double[] logprobs) {
    Integer[] ids = new Integer[logprobs.length];
    Arrays.setAll(ids, i -> i);
    Arrays.sort(ids, (a, b) -> Double.compare(logprobs[b], logprobs[a]));
    return Arrays.stream(ids).mapToInt(Integer::intValue).toArray();
  }
}
