package dev.kiln.bench.train;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * A seeded, MNIST-shaped synthetic dataset: ten classes of 28x28 single-channel images, each class a fixed set of three
 * strokes. Every example redraws its class's strokes with jittered end points, shifts the whole drawing by up to ±2
 * pixels, scales its ink, and adds pixel noise, so a small CNN learns it well but not perfectly in a few epochs (the
 * accuracy comparison says nothing when both sides sit at 100 %).
 *
 * @param trainX {@code trainCount × 784} pixels, row-major
 * @param trainY class indices
 */
record StrokeDigits(float[] trainX, int[] trainY, float[] testX, int[] testY) {
  static final int SIDE = 28;
  static final int PIXELS = SIDE * SIDE;
  static final int CLASSES = 10;
  private static final int STROKES = 3;

  /**
   * @param jitter standard deviation, in pixels, of each stroke end point around its class's
   * @param noise standard deviation of the Gaussian noise added to every pixel (ink is about 1)
   */
  static StrokeDigits generate(int trainCount, int testCount, long seed, double jitter, double noise) {
    Random r = new Random(seed);
    double[][] prototypes = new double[CLASSES][STROKES * 4];
    for (double[] p : prototypes) {
      for (int k = 0; k < p.length; k++) {
        p[k] = 6 + r.nextDouble() * 16; // end points inside the central 16x16, so shifts stay in frame
      }
    }
    float[] trainX = new float[trainCount * PIXELS];
    int[] trainY = new int[trainCount];
    draw(r, prototypes, trainX, trainY, jitter, noise);
    float[] testX = new float[testCount * PIXELS];
    int[] testY = new int[testCount];
    draw(r, prototypes, testX, testY, jitter, noise);
    return new StrokeDigits(trainX, trainY, testX, testY);
  }

  int trainCount() {
    return trainY.length;
  }

  int testCount() {
    return testY.length;
  }

  private static void draw(Random r, double[][] prototypes, float[] x, int[] y, double jitter, double noise) {
    for (int i = 0; i < y.length; i++) {
      int c = r.nextInt(CLASSES);
      y[i] = c;
      double dx = r.nextInt(5) - 2;
      double dy = r.nextInt(5) - 2;
      double ink = 0.7 + 0.6 * r.nextDouble();
      int at = i * PIXELS;
      for (int s = 0; s < STROKES; s++) {
        double[] p = prototypes[c];
        stroke(
            x,
            at,
            p[4 * s] + dx + r.nextGaussian() * jitter,
            p[4 * s + 1] + dy + r.nextGaussian() * jitter,
            p[4 * s + 2] + dx + r.nextGaussian() * jitter,
            p[4 * s + 3] + dy + r.nextGaussian() * jitter,
            ink);
      }
      for (int k = 0; k < PIXELS; k++) {
        x[at + k] += (float) (r.nextGaussian() * noise);
      }
    }
  }

  /** Adds a soft line (Gaussian profile across it, 1.2 px) from (x0, y0) to (x1, y1); overlaps take the max. */
  private static void stroke(float[] x, int at, double x0, double y0, double x1, double y1, double ink) {
    double vx = x1 - x0;
    double vy = y1 - y0;
    double len2 = Math.max(vx * vx + vy * vy, 1e-9);
    for (int row = 0; row < SIDE; row++) {
      for (int col = 0; col < SIDE; col++) {
        double t = Math.clamp(((col - x0) * vx + (row - y0) * vy) / len2, 0, 1);
        double ex = col - (x0 + t * vx);
        double ey = row - (y0 + t * vy);
        float v = (float) (ink * Math.exp(-(ex * ex + ey * ey) / (2 * 1.2 * 1.2)));
        int k = at + row * SIDE + col;
        x[k] = Math.max(x[k], v);
      }
    }
  }

  /**
   * Writes the dataset for {@code train_torch.py}, all little-endian: four int32 (train count, test count, 28, 28),
   * then train pixels (float32), train labels (int32), test pixels, test labels.
   */
  void write(Path file) throws IOException {
    try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
      ByteBuffer header = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
      header.putInt(trainCount()).putInt(testCount()).putInt(SIDE).putInt(SIDE);
      out.write(header.array());
      out.write(bytes(trainX));
      out.write(bytes(trainY));
      out.write(bytes(testX));
      out.write(bytes(testY));
    }
  }

  private static byte[] bytes(float[] v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return b.array();
  }

  private static byte[] bytes(int[] v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asIntBuffer().put(v);
    return b.array();
  }
}
