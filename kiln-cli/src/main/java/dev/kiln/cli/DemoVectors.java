package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;

/** The demo's float vectors: written as JSON, read back from it, and compared with what plain Java computed. */
final class DemoVectors {
  private DemoVectors() {}

  static String list(float[] v) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < v.length; i++) {
      sb.append(i == 0 ? "" : ",").append(v[i]);
    }
    return sb.append(']').toString();
  }

  static float[] floats(JsonNode a) {
    float[] out = new float[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) a.get(i).asDouble();
    }
    return out;
  }

  static boolean close(float[] a, float[] b) {
    return a.length == b.length && maxDiff(a, b) < 1e-4;
  }

  static double maxDiff(float[] a, float[] b) {
    double d = 0;
    for (int i = 0; i < Math.min(a.length, b.length); i++) {
      d = Math.max(d, Math.abs(a[i] - b[i]));
    }
    return d;
  }

  static int argmax(float[] y) {
    int best = 0;
    for (int i = 1; i < y.length; i++) {
      best = y[i] > y[best] ? i : best;
    }
    return best;
  }
}
