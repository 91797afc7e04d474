package dev.kiln.training.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextReaderTest {
  @TempDir Path dir;

  @Test
  void folderPerClassReadsEachTxtFileAsOneExample() throws Exception {
    Files.createDirectories(dir.resolve("t/pos"));
    Files.createDirectories(dir.resolve("t/neg"));
    Files.writeString(dir.resolve("t/pos/1.txt"), "Loved it");
    Files.writeString(dir.resolve("t/neg/1.txt"), "Hated it");
    Files.writeString(dir.resolve("t/neg/ignored.md"), "x");
    assertThat(DatasetReader.format(dir.resolve("t"), DatasetOptions.detect())).isEqualTo(DatasetFormat.TEXT_FOLDER);
    TextData d = (TextData) DatasetReader.read(dir.resolve("t"), DatasetOptions.detect());
    assertThat(d.texts()).containsExactly("Hated it", "Loved it");
    assertThat(d.labels()).containsExactly("neg", "pos");
  }

  @Test
  void csvNeedsItsTextColumnAndLabels() throws Exception {
    Path f = SampleData.sentiment(dir.resolve("s.csv"), 10, 1);
    TextData d = TextReader.readCsv(f, DatasetOptions.textCsv("text", "label"));
    assertThat(d.size()).isEqualTo(10);
    assertThat(d.texts().getFirst()).matches("[A-Z].*");
    assertThatThrownBy(() -> TextReader.readCsv(f, DatasetOptions.textCsv("body", "label")))
        .hasMessage("s.csv: no column named 'body' (columns: text, label)");
    Path missing = Files.writeString(dir.resolve("m.csv"), "text,label\nhi,a\nho,\n");
    assertThatThrownBy(() -> TextReader.readCsv(missing, DatasetOptions.textCsv("text", "label")))
        .hasMessage("m.csv: row 2, column 'label': missing label");
  }

  @Test
  void emptyClassFoldersAreAnEmptyDataset() throws Exception {
    Files.createDirectories(dir.resolve("e/a"));
    assertThatThrownBy(() -> TextReader.readFolder(dir.resolve("e"), DatasetOptions.detect()))
        .hasMessage("e: no .txt files in the class folders");
    assertThatThrownBy(() -> DatasetReader.read(dir.resolve("nowhere"), DatasetOptions.detect()))
        .hasMessage("nowhere: no such file or folder");
  }
}
