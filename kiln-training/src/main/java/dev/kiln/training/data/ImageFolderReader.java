package dev.kiln.training.data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Reads {@code root/<class>/*.png|jpg|jpeg}. Every image is resized (bilinear) to {@code height x width}, by default
 * the first image's size, and converted to grey (luma, as Java2D computes it) or RGB.
 *
 * <p>A first pass reads only the headers: each image's size is checked against {@link ReadLimits#maxImagePixels()}
 * before anything is decoded (a 243 KiB PNG can declare 16000 × 16000 pixels, a gigabyte once decoded), the whole
 * dataset against {@link ReadLimits#maxCells()}, and the channels are chosen: as given, or those most images have (1
 * for greyscale, 3 for colour; a tie is colour).
 */
public final class ImageFolderReader {
  static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg");

  private ImageFolderReader() {}

  /** One image file and its class. */
  private record Entry(Path dir, Path file) {
    String name() {
      return RawFiles.name(dir) + "/" + RawFiles.name(file);
    }
  }

  /** What the headers say: the first image's size and how many images are greyscale. */
  private record Survey(List<Entry> entries, int height, int width, int grey) {}

  public static ImageData read(Path root, DatasetOptions options) {
    ReadLimits limits = options.limitsOrDefault();
    Survey s = survey(root, limits);
    int channels = options.channels() != null ? options.channels() : s.grey() * 2 > s.entries().size() ? 1 : 3;
    int height = options.height() != null ? options.height() : s.height();
    int width = options.width() != null ? options.width() : s.width();
    if ((double) s.entries().size() * channels * height * width > limits.maxCells()) {
      throw new DatasetTooLargeException(
          RawFiles.name(root)
              + ": "
              + s.entries().size()
              + " images of "
              + channels
              + "x"
              + height
              + "x"
              + width
              + ", more than the limit of "
              + limits.maxCells()
              + " values");
    }
    List<float[]> images = new ArrayList<>(s.entries().size());
    List<String> labels = new ArrayList<>(s.entries().size());
    for (Entry e : s.entries()) {
      images.add(pixels(decode(e, limits), channels, height, width));
      labels.add(RawFiles.name(e.dir()));
    }
    return new ImageData(RawFiles.name(root), channels, height, width, images, labels);
  }

  private static Survey survey(Path root, ReadLimits limits) {
    List<Entry> entries = new ArrayList<>();
    int height = 0;
    int width = 0;
    int grey = 0;
    for (Path dir : Folders.classes(root)) {
      for (Path file : Folders.files(dir, EXTENSIONS)) {
        if (entries.size() >= limits.maxRows()) {
          throw new DatasetTooLargeException(
              RawFiles.name(root) + ": more than the limit of " + limits.maxRows() + " images");
        }
        Entry e = new Entry(dir, file);
        int[] header = header(e, limits);
        if (entries.isEmpty()) {
          height = header[0];
          width = header[1];
        }
        grey += header[2] == 1 ? 1 : 0;
        entries.add(e);
      }
    }
    if (entries.isEmpty()) {
      throw new DatasetException(RawFiles.name(root) + ": no .png, .jpg or .jpeg images in the class folders");
    }
    return new Survey(entries, height, width, grey);
  }

  /** Height, width and colour components (1 or 3) from the header, the size checked against the limit. */
  private static int[] header(Entry e, ReadLimits limits) {
    return withReader(
        e,
        limits,
        r -> {
          int w = r.getWidth(0);
          int h = r.getHeight(0);
          ImageTypeSpecifier type = r.getRawImageType(0);
          int colours = type == null ? 3 : type.getColorModel().getNumColorComponents();
          return new int[] {h, w, colours == 1 ? 1 : 3};
        });
  }

  private static BufferedImage decode(Entry e, ReadLimits limits) {
    return withReader(e, limits, r -> r.read(0));
  }

  private interface ReaderCall<T> {
    T apply(ImageReader reader) throws IOException;
  }

  /** Runs {@code call} with a reader over {@code e} whose declared size is within the pixel limit. */
  private static <T> T withReader(Entry e, ReadLimits limits, ReaderCall<T> call) {
    // An in-memory cache: ImageIO's default may write a temporary file per image.
    try (InputStream in = RawFiles.open(e.file(), limits);
        ImageInputStream iis = new MemoryCacheImageInputStream(in)) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(iis);
      if (!readers.hasNext()) {
        throw new DatasetException(e.name() + ": not a readable image");
      }
      ImageReader r = readers.next();
      try {
        r.setInput(iis, true, true);
        long pixels = (long) r.getWidth(0) * r.getHeight(0);
        if (pixels > limits.maxImagePixels()) {
          throw new DatasetTooLargeException(
              e.name()
                  + ": "
                  + r.getWidth(0)
                  + "x"
                  + r.getHeight(0)
                  + " pixels, more than the limit of "
                  + limits.maxImagePixels()
                  + " pixels an image");
        }
        return call.apply(r);
      } finally {
        r.dispose();
      }
    } catch (IOException | RuntimeException x) {
      if (x instanceof DatasetException d) {
        throw d;
      }
      throw new DatasetException(e.name() + ": not a readable image", x);
    }
  }

  /** Channels-first values 0..255 of {@code img} drawn at {@code height x width}. */
  static float[] pixels(BufferedImage img, int channels, int height, int width) {
    BufferedImage scaled =
        new BufferedImage(width, height, channels == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
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
