package dev.kiln.training.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.training.data.DatasetOptions;
import dev.kiln.training.data.DatasetPreparer;
import dev.kiln.training.data.DatasetReader;
import dev.kiln.training.data.DatasetRef;
import dev.kiln.training.data.PrepareOptions;
import dev.kiln.training.data.PreparedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackgroundSampleTest {
  @TempDir Path dir;

  /** {@code rows} rows of {@code columns} numeric columns (values far from their scaling's offset) and a colour. */
  private double[][] raw;

  private PreparedData prepare(int rows, int columns) throws Exception {
    Random random = new Random(3);
    raw = new double[rows][columns];
    StringBuilder csv = new StringBuilder();
    for (int c = 0; c < columns; c++) {
      csv.append('x').append(c).append(',');
    }
    csv.append("colour,y\n");
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < columns; c++) {
        raw[r][c] = Math.round((random.nextGaussian() * 40 + 1000) * 1000) / 1000.0;
        csv.append(raw[r][c]).append(',');
      }
      csv.append(random.nextBoolean() ? "red" : "blue").append(',').append(r % 2 == 0 ? "yes" : "no").append('\n');
    }
    Path file = Files.writeString(dir.resolve("d.csv"), csv.toString());
    return DatasetPreparer.prepare(
        DatasetReader.read(file, DatasetOptions.csv("y")),
        null,
        PrepareOptions.defaults(),
        new DatasetRef("d", 1, "00"));
  }

  @Test
  void aSeededSampleOfAtMostAHundredTrainingRowsInTheirRawValues() throws Exception {
    PreparedData data = prepare(1000, 4);
    float[][] rows = BackgroundSample.of(data, 42).orElseThrow();
    assertThat(rows).hasNumberOfRows(100);
    Set<Integer> train = new HashSet<>(Arrays.stream(data.rows().train()).boxed().toList());
    for (float[] row : rows) {
      assertThat(row).hasSize(4); // numeric columns only: the colour is not part of the features input
      // Each row is one training-split row of the upload, as a client would send it (float precision).
      int match = -1;
      for (int r = 0; r < raw.length && match < 0; r++) {
        if (Math.abs(raw[r][0] - row[0]) < 1e-3 && Math.abs(raw[r][1] - row[1]) < 1e-3) {
          match = r;
        }
      }
      assertThat(match).as(Arrays.toString(row)).isNotNegative();
      assertThat(train).contains(match);
      for (int c = 0; c < 4; c++) {
        assertThat((double) row[c]).isCloseTo(raw[match][c], within(1e-3));
      }
    }
    assertThat(BackgroundSample.of(data, 42).orElseThrow()).isDeepEqualTo(rows);
    assertThat(BackgroundSample.of(data, 43).orElseThrow()).isNotEqualTo(rows);
    assertThat(BackgroundSample.json(data, 42).orElseThrow()).startsWith("{\"features\":[[");
  }

  @Test
  void aSmallSplitGivesAllItsRowsAndAWideOneFewerRowsNotFewerColumns() throws Exception {
    PreparedData small = prepare(40, 3);
    assertThat(BackgroundSample.of(small, 1).orElseThrow()).hasNumberOfRows(small.rows().train().length);
    float[][] wide = BackgroundSample.of(prepare(200, 400), 1).orElseThrow();
    assertThat(wide).hasNumberOfRows(BackgroundSample.MAX_VALUES / 400);
    assertThat(wide[0]).hasSize(400);
  }
}
