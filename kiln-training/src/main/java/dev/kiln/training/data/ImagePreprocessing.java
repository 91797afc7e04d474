package dev.kiln.training.data;

import dev.kiln.core.model.TensorSpec;
import dev.kiln.core.tensor.DataType;
import dev.kiln.onnx.OnnxGraphBuilder;
import java.util.List;

/**
 * Pixel values 0..255 scaled to 0..1. The exported model takes {@code image} FP32 {@code [N, C, H, W]}: raw channel
 * values, channels first (RGB order, or one grey channel). Resizing to {@code height x width} and decoding is the
 * client's job, as at training, where images were resized with bilinear interpolation.
 */
public record ImagePreprocessing(int channels, int height, int width) implements Preprocessing {
  static final String INPUT = "image";
  private static final float MAX = 255f;

  public ImagePreprocessing {
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels: " + channels + " (expected: 1 or 3)");
    }
    if (height < 1 || width < 1) {
      throw new IllegalArgumentException("size: " + height + "x" + width);
    }
  }

  /** Scales raw pixel values in place and returns them. */
  public float[] apply(float[] pixels) {
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = pixels[i] / MAX;
    }
    return pixels;
  }

  @Override
  public List<TensorSpec> rawInputs() {
    return List.of(new TensorSpec(INPUT, DataType.FP32, new long[] {-1, channels, height, width}));
  }

  @Override
  public DataType outputType() {
    return DataType.FP32;
  }

  @Override
  public void appendOnnx(OnnxGraphBuilder g, String output) {
    g.input(INPUT, DataType.FP32, -1, channels, height, width);
    String max = g.fresh("max");
    g.initializer(max, new long[] {}, new float[] {MAX});
    g.node("Div", List.of(INPUT, max), List.of(output));
  }
}
