package dev.kiln.training.data;

import java.util.List;

/**
 * Images of one size, each channels-first {@code [C, H, W]} with raw values 0..255.
 *
 * @param source the folder or file name, for error messages
 */
public record ImageData(String source, int channels, int height, int width, List<float[]> images, List<String> labels)
    implements RawDataset {
  public ImageData {
    images = List.copyOf(images);
    labels = List.copyOf(labels);
  }
}
