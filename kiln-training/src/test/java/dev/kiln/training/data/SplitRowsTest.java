package dev.kiln.training.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The recorded split rows are the dataset rows each split was built from, as a user re-reading the file sees them. */
class SplitRowsTest {
  private static final DatasetRef REF = new DatasetRef("d", 1, "00");
  @TempDir Path dir;

  private static PreparedData prepare(Path file, String label, PrepareOptions options) {
    DatasetOptions read = DatasetOptions.csv(label);
    return DatasetPreparer.prepare(DatasetReader.read(file, read), read.task(), options, REF);
  }

  /** The file's data rows (after the header), each as its numbers, read as another tool would: line by line. */
  private static List<float[]> rows(Path file) throws Exception {
    String text;
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    return text.lines()
        .skip(1)
        .filter(l -> !l.isBlank())
        .map(l -> {
          String[] cells = l.trim().split(",");
          float[] v = new float[cells.length];
          for (int i = 0; i < cells.length; i++) {
            v[i] = Float.parseFloat(cells[i]);
          }
          return v;
        })
        .toList();
  }

  /** Asserts that {@code part} holds exactly the file rows {@code indexes}, in that order (features then label). */
  private static void assertRows(Examples part, int[] indexes, List<float[]> file, PreparedData d) {
    assertThat(part.count()).isEqualTo(indexes.length);
    int w = part.rowSize();
    for (int i = 0; i < indexes.length; i++) {
      float[] row = file.get(indexes[i]);
      assertThat(Arrays.copyOfRange(part.features(), i * w, i * w + w)).containsExactly(Arrays.copyOf(row, w));
      String label = Integer.toString((int) row[w]);
      assertThat(d.task().classes().get((int) part.targets()[i])).isEqualTo(label);
    }
  }

  @Test
  void recordedRowsOfDigitsAreExactlyTheRowsOfEachSplitAndCoverTheFileOnce() throws Exception {
    Path file = SampleData.digitsCsv(dir);
    List<float[]> csv = rows(file);
    PreparedData d = prepare(file, "digit", PrepareOptions.defaults().withScaling(Scaling.NONE));
    Split rows = d.rows();
    assertRows(d.train(), rows.train(), csv, d);
    assertRows(d.validation(), rows.validation(), csv, d);
    assertRows(d.test(), rows.test(), csv, d);
    assertThat(rows.test()).hasSize((int) Math.round(1797 * PrepareOptions.defaults().test()));
    assertThat(rows.validation()).hasSize((int) Math.round(1797 * PrepareOptions.defaults().validation()));
    int[] all =
        IntStream.concat(
                IntStream.concat(Arrays.stream(rows.train()), Arrays.stream(rows.validation())),
                Arrays.stream(rows.test()))
            .sorted()
            .toArray();
    assertThat(all).containsExactly(IntStream.range(0, 1797).toArray()); // disjoint, and every row once
  }

  @Test
  void rowsDroppedForMissingValuesKeepTheirNumbersAndAreInNoSplit() throws Exception {
    Path file =
        Files.writeString(dir.resolve("m.csv"), "a,label\n1,1\n,2\n3,1\nNA,2\n5,1\n6,2\n\n7,1\n8,2\n9,1\n10,2\n");
    PrepareOptions o =
        PrepareOptions.defaults().withSplit(0.25, 0.25, 7).withMissing(MissingPolicy.DROP).withScaling(Scaling.NONE);
    PreparedData d = prepare(file, "label", o);
    Split rows = d.rows();
    int[] all =
        IntStream.concat(
                IntStream.concat(Arrays.stream(rows.train()), Arrays.stream(rows.validation())),
                Arrays.stream(rows.test()))
            .sorted()
            .toArray();
    assertThat(all).containsExactly(0, 2, 4, 5, 6, 7, 8, 9); // rows 1 and 3 dropped; the blank line is no row
    float[] a = {1, Float.NaN, 3, Float.NaN, 5, 6, 7, 8, 9, 10}; // column a by file row
    assertFirstColumn(d.train(), rows.train(), a);
    assertFirstColumn(d.validation(), rows.validation(), a);
    assertFirstColumn(d.test(), rows.test(), a);
  }

  private static void assertFirstColumn(Examples part, int[] indexes, float[] byFileRow) {
    assertThat(part.count()).isEqualTo(indexes.length);
    for (int i = 0; i < indexes.length; i++) {
      assertThat(part.features()[i * part.rowSize()]).isEqualTo(byFileRow[indexes[i]]);
    }
  }

  @Test
  void throughLooksEachIndexUpInTheRowsGiven() {
    Split s = new Split(new int[] {0, 2}, new int[] {1}, new int[] {3}).through(new int[] {10, 11, 12, 13});
    assertThat(s.train()).containsExactly(10, 12);
    assertThat(s.validation()).containsExactly(11);
    assertThat(s.test()).containsExactly(13);
  }
}
