package dev.kiln.training.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.io.DataOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageReadersTest {
  @TempDir Path dir;

  @Test
  void rgbImagesAreResizedAndChannelsFirst() throws Exception {
    Files.createDirectories(dir.resolve("img/red"));
    Files.createDirectories(dir.resolve("img/blue"));
    solid(dir.resolve("img/red/a.png"), 0xff0000, 4, 4);
    solid(dir.resolve("img/blue/b.jpg"), 0x0000ff, 6, 3);
    ImageData d = ImageFolderReader.read(dir.resolve("img"), DatasetOptions.detect().withImage(3, 2, 2));
    assertThat(d.labels()).containsExactly("blue", "red");
    float[] red = d.images().get(1);
    assertThat(red).hasSize(12);
    assertThat(red[0]).isEqualTo(255f);
    assertThat(red[4]).isEqualTo(0f);
    assertThat(d.images().get(0)[8]).isCloseTo(255f, within(8f));
  }

  @Test
  void defaultSizeIsTheFirstImagesAndGreyImagesHaveOneChannel() {
    ImageData d = ImageFolderReader.read(SampleData.bars(dir.resolve("bars"), 2, 1), DatasetOptions.detect());
    assertThat(d.channels()).isEqualTo(1);
    assertThat(d.height()).isEqualTo(8);
    assertThat(d.width()).isEqualTo(8);
  }

  @Test
  void unreadableImageNamesItsFile() throws Exception {
    Path root = SampleData.bars(dir.resolve("bars"), 2, 1);
    Files.writeString(root.resolve("vertical/broken.png"), "not a png");
    assertThatThrownBy(() -> ImageFolderReader.read(root, DatasetOptions.detect()))
        .isInstanceOf(DatasetException.class)
        .hasMessage("vertical/broken.png: not a readable image");
  }

  @Test
  void imageOnnxGraphScalesLikeJava() throws Exception {
    ImagePreprocessing p = new ImagePreprocessing(1, 2, 2);
    float[] raw = {0, 17, 128, 255, 3, 4, 5, 254};
    float[] onnx = OrtRun.run(p, 4, Map.of("image", new float[][][][] {{{{0, 17}, {128, 255}}}, {{{3, 4}, {5, 254}}}}));
    assertThat(onnx).containsExactly(p.apply(raw.clone()));
  }

  @Test
  void gzippedIdxPairReadsAsGreyImages() throws Exception {
    Path idx = Files.createDirectories(dir.resolve("mnist"));
    writeIdx(
        idx.resolve("train-images-idx3-ubyte.gz"),
        0x08,
        new int[] {2, 2, 3},
        new int[] {0, 1, 2, 3, 4, 255, 9, 8, 7, 6, 5, 4});
    writeIdx(idx.resolve("train-labels-idx1-ubyte.gz"), 0x08, new int[] {2}, new int[] {7, 3});
    ImageData d = (ImageData) DatasetReader.read(idx, DatasetOptions.detect());
    assertThat(DatasetReader.format(idx, DatasetOptions.detect())).isEqualTo(DatasetFormat.IDX);
    assertThat(d.height()).isEqualTo(2);
    assertThat(d.width()).isEqualTo(3);
    assertThat(d.labels()).containsExactly("7", "3");
    assertThat(d.images().get(0)).containsExactly(0, 1, 2, 3, 4, 255);
  }

  @Test
  void wrongMagicAndTruncatedIdxAreRefused() throws Exception {
    Path bad = Files.write(dir.resolve("bad.idx"), new byte[] {1, 2, 3, 4, 0, 0, 0, 1});
    assertThatThrownBy(() -> IdxReader.read(bad, ReadLimits.defaults()))
        .hasMessage("bad.idx: not an IDX file (magic 0x1020304)");
    Path cut = dir.resolve("cut.idx");
    writeIdx(cut, 0x08, new int[] {4, 2, 2}, new int[] {1, 2, 3});
    assertThatThrownBy(() -> IdxReader.read(cut, ReadLimits.defaults()))
        .hasMessage("cut.idx: truncated (fewer values than its dimensions declare)");
    Path huge = dir.resolve("huge.idx");
    writeIdx(huge, 0x0E, new int[] {1 << 30, 1 << 30}, new int[0]);
    assertThatThrownBy(() -> IdxReader.read(huge, ReadLimits.defaults())).hasMessageContaining("exceed the size limit");
  }

  @Test
  void greyscaleImagesStayOneChannelAndTheExportedInputFollows() throws Exception {
    Path root = dir.resolve("grey");
    for (String c : new String[] {"dark", "light"}) {
      Files.createDirectories(root.resolve(c));
      for (int i = 0; i < 10; i++) {
        grey(root.resolve(c + "/" + i + ".png"), c.equals("dark") ? 10 + i : 240 - i, 5, 4);
      }
    }
    ImageData d = ImageFolderReader.read(root, DatasetOptions.detect());
    assertThat(d.channels()).isEqualTo(1);
    assertThat(d.images().get(0)).hasSize(20).contains(10f);
    PreparedData p = DatasetPreparer.prepare(d, null, PrepareOptions.defaults(), new DatasetRef("grey", 1, "0"));
    assertThat(p.inputShape()).containsExactly(1, 4, 5);
    assertThat(p.preprocessing().rawInputs().get(0).shape()).containsExactly(-1, 1, 4, 5);
  }

  @Test
  void mixedFoldersTakeTheMajorityUnlessChannelsAreGiven() throws Exception {
    Path root = dir.resolve("mixed");
    Files.createDirectories(root.resolve("a"));
    Files.createDirectories(root.resolve("b"));
    grey(root.resolve("a/1.png"), 50, 3, 3);
    grey(root.resolve("a/2.png"), 60, 3, 3);
    solid(root.resolve("b/3.png"), 0x00ff00, 3, 3);
    assertThat(ImageFolderReader.read(root, DatasetOptions.detect()).channels()).isEqualTo(1);
    assertThat(ImageFolderReader.read(root, DatasetOptions.detect().withChannels(3)).channels()).isEqualTo(3);
    solid(root.resolve("b/4.png"), 0x0000ff, 3, 3);
    solid(root.resolve("b/5.png"), 0xff0000, 3, 3);
    assertThat(ImageFolderReader.read(root, DatasetOptions.detect()).channels()).isEqualTo(3);
  }

  private static void grey(Path file, int level, int w, int h) throws Exception {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.getRaster().setSample(x, y, 0, level);
      }
    }
    ImageIO.write(img, "png", file.toFile());
  }

  private static void solid(Path file, int rgb, int w, int h) throws Exception {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, rgb);
      }
    }
    ImageIO.write(img, file.toString().endsWith(".png") ? "png" : "jpg", file.toFile());
  }

  private static void writeIdx(Path file, int type, int[] dims, int[] values) throws Exception {
    OutputStream raw = Files.newOutputStream(file);
    try (DataOutputStream out =
        new DataOutputStream(file.toString().endsWith(".gz") ? new GZIPOutputStream(raw) : raw)) {
      out.writeInt((type << 8) | dims.length);
      for (int d : dims) {
        out.writeInt(d);
      }
      for (int v : values) {
        out.writeByte(v);
      }
    }
  }
}
