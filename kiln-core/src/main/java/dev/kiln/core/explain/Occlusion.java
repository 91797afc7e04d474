package dev.kiln.core.explain;

import dev.kiln.core.error.KilnException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Occlusion for one image: a square patch slides over it without overlap, each position replaced by the baseline (all
 * channels), and every pixel of the patch is attributed the drop in the target's score. Works on {@code [1, C, H, W]}
 * and {@code [1, H, W, C]}.
 */
public final class Occlusion {
  private Occlusion() {}

  /** Where the channels are in a rank-4 image. */
  public enum Layout {
    NCHW,
    NHWC;

    /** Guesses from the shape: channels are the small dimension (at most 4), NCHW when both are. */
    public static Layout of(long[] shape) {
      if (shape.length != 4) {
        throw KilnException.invalid(
            "occlusion needs an image input [1, C, H, W] or [1, H, W, C], got shape " + Arrays.toString(shape));
      }
      return shape[1] <= 4 || shape[3] > 4 ? NCHW : NHWC;
    }
  }

  /**
   * @param x the image, flattened in {@code shape}'s order
   * @param baseline what an occluded element becomes, same layout as {@code x}
   * @param patch the patch side in pixels
   * @param maxEvaluations most patch positions allowed (the server's sample bound)
   */
  public static List<Attribution> explain(
      double[] x, long[] shape, double[] baseline, int patch, int maxEvaluations, int[] targets, BatchModel model) {
    Layout layout = Layout.of(shape);
    int c = (int) (layout == Layout.NCHW ? shape[1] : shape[3]);
    int h = (int) (layout == Layout.NCHW ? shape[2] : shape[1]);
    int w = (int) (layout == Layout.NCHW ? shape[3] : shape[2]);
    if (patch < 1) {
      throw KilnException.invalid("parameters.patch must be a positive number of pixels, got " + patch);
    }
    int rowsOf = (h + patch - 1) / patch;
    int colsOf = (w + patch - 1) / patch;
    int n = rowsOf * colsOf;
    if (n > maxEvaluations) {
      throw KilnException.invalid(
          "occlusion with patch "
              + patch
              + " needs "
              + n
              + " evaluations, over the bound of "
              + maxEvaluations
              + "; use a larger patch");
    }
    Budget.check(n + 2L, x.length);
    double[][] in = new double[n + 2][];
    in[0] = x;
    in[n + 1] = baseline; // everything occluded: the base value
    for (int py = 0; py < rowsOf; py++) {
      for (int px = 0; px < colsOf; px++) {
        double[] img = x.clone();
        forPatch(layout, c, h, w, py * patch, px * patch, patch, i -> img[i] = baseline[i]);
        in[1 + py * colsOf + px] = img;
      }
    }
    double[][] out = model.apply(in);
    List<Attribution> result = new ArrayList<>();
    for (int t : Targets.resolve(targets, out[0].length)) {
      double[] map = new double[x.length];
      for (int py = 0; py < rowsOf; py++) {
        for (int px = 0; px < colsOf; px++) {
          double drop = out[0][t] - out[1 + py * colsOf + px][t];
          forPatch(layout, c, h, w, py * patch, px * patch, patch, i -> map[i] = drop);
        }
      }
      result.add(new Attribution(t, out[0][t], out[n + 1][t], map));
    }
    return result;
  }

  private interface Index {
    void at(int i);
  }

  private static void forPatch(Layout l, int c, int h, int w, int y0, int x0, int patch, Index f) {
    for (int y = y0; y < Math.min(h, y0 + patch); y++) {
      for (int xx = x0; xx < Math.min(w, x0 + patch); xx++) {
        for (int ch = 0; ch < c; ch++) {
          f.at(l == Layout.NCHW ? (ch * h + y) * w + xx : (y * w + xx) * c + ch);
        }
      }
    }
  }
}
