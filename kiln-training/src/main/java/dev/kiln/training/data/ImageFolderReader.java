package dev.kiln.training.data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Reads {@code root/<class>/*.png|jpg|jpeg}. Every image is resized (bilinear) to {@code height x width}, by
 * default the first image's size, and converted to grey (luma, as Java2D computes it) or RGB.
 */
public final class ImageFolderReader {
  static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg");

  private ImageFolderReader() {}

  public static ImageData read(Path root, DatasetOptions options) {
    int channels = options.channels() == null ? 3 : options.channels();
    Integer height = options.height();
    Integer width = options.width();
    ReadLimits limits = options.limitsOrDefault();
    List<float[]> images = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    for (Path dir : Folders.classes(root)) {
      for (Path file : Folders.files(dir, EXTENSIONS)) {
        if (images.size() >= limits.maxRows()) {
          throw new DatasetException(RawFiles.name(root) + ": more than the limit of " + limits.maxRows() + " images");
        }
        BufferedImage img = decode(dir, file, limits);
        if (height == null) {
          height = img.getHeight();
          width = img.getWidth();
        }
        images.add(pixels(img, channels, height, width));
        labels.add(RawFiles.name(dir));
      }
    }
    if (images.isEmpty()) {
      throw new DatasetException(RawFiles.name(root) + ": no .png, .jpg or .jpeg images in the class folders");
    }
    return new ImageData(RawFiles.name(root), channels, height, width, images, labels);
  }

  private static BufferedImage decode(Path dir, Path file, ReadLimits limits) {
    String name = RawFiles.name(dir) + "/" + RawFiles.name(file);
    try (InputStream in = RawFiles.open(file, limits)) {
      BufferedImage img = ImageIO.read(in);
      if (img == null) {
        throw new DatasetException(name + ": not a readable image");
      }
      return img;
    } catch (IOException | RuntimeException e) {
      if (e instanceof DatasetException d) {
        throw d;
      }
      throw new DatasetException(name + ": not a readable image", e);
    }
  }

  /** Channels-first values 0..255 of {@code img} drawn at {@code height x width}. */
  static float[] pixels(BufferedImage img, int channels, int height, int width) {
    BufferedImage scaled = new BufferedImage(width, height,
        channels == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
    Graphics2D g = scaled.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(img, 0, 0, width, height, null);
    g.dispose();
    float[] out = new float[channels * height * width];
    int plane = height * width;
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int i = y * width + x;
        if (channels == 1) {
          out[i] = scaled.getRaster().getSample(x, y, 0);
        } else {
          int rgb = scaled.getRGB(x, y);
          out[i] = (rgb >> 16) & 0xff;
          out[plane + i] = (rgb >> 8) & 0xff;
          out[2 * plane + i] = rgb & 0xff;
        }
      }
    }
    return out;
  }
}
