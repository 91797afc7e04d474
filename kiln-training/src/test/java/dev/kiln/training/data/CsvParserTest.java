package dev.kiln.training.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvParserTest {
  @TempDir Path dir;

  private Path write(String name, String content) throws Exception {
    return Files.writeString(dir.resolve(name), content);
  }

  @Test
  void quotedFieldsKeepDelimitersNewlinesAndDoubledQuotes() throws Exception {
    Path f = write("q.csv", "a,b\r\n\"x, y\",\"say \"\"hi\"\"\nthere\"\r\n\n1,2\n");
    CsvTable t = CsvParser.read(f, ',', ReadLimits.defaults());
    assertThat(t.header()).containsExactly("a", "b");
    assertThat(t.rows()).hasSize(2);
    assertThat(t.rows().get(0)).containsExactly("x, y", "say \"hi\"\nthere");
    assertThat(t.rows().get(1)).containsExactly("1", "2");
  }

  @Test
  void tsvAndGzippedFilesAreRecognised() throws Exception {
    Path f = dir.resolve("t.tsv.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(f))) {
      out.write("a\tb\n1\t2\n".getBytes(StandardCharsets.UTF_8));
    }
    assertThat(CsvParser.delimiterFor(f)).isEqualTo('\t');
    assertThat(CsvParser.read(f, '\t', ReadLimits.defaults()).rows().get(0)).containsExactly("1", "2");
  }

  @Test
  void unterminatedQuoteNamesTheFileAndLine() throws Exception {
    Path f = write("bad.csv", "a,b\n1,2\n3,\"oops\n4,5\n");
    assertThatThrownBy(() -> CsvParser.read(f, ',', ReadLimits.defaults()))
        .isInstanceOf(DatasetException.class)
        .hasMessage("bad.csv: unterminated quoted field starting on line 3");
  }

  @Test
  void raggedRowNamesTheRowAndExpectedWidth() throws Exception {
    Path f = write("r.csv", "a,b,c\n1,2,3\n4,5\n");
    assertThatThrownBy(() -> CsvParser.read(f, ',', ReadLimits.defaults()))
        .isInstanceOf(DatasetException.class)
        .hasMessage("r.csv: row 2 (line 3) has 2 fields (expected: 3)");
  }

  @Test
  void rowColumnAndByteLimitsAreEnforced() throws Exception {
    Path f = write("big.csv", "a,b\n1,2\n3,4\n5,6\n");
    assertThatThrownBy(() -> CsvParser.read(f, ',', new ReadLimits(2, 10, 1000)))
        .hasMessage("big.csv: more than the limit of 2 rows");
    assertThatThrownBy(() -> CsvParser.read(f, ',', new ReadLimits(10, 1, 1000)))
        .hasMessage("big.csv: 2 columns, more than the limit of 1");
    assertThatThrownBy(() -> CsvParser.read(f, ',', new ReadLimits(10, 10, 5)))
        .hasMessage("big.csv: larger than the limit of 5 bytes");
  }

  @Test
  void gzipBombStopsAtTheUncompressedLimit() throws Exception {
    Path f = dir.resolve("bomb.csv.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(f))) {
      out.write("a,b\n".getBytes(StandardCharsets.UTF_8));
      out.write(new byte[1 << 20]);
    }
    assertThat(Files.size(f)).isLessThan(10_000);
    assertThatThrownBy(() -> CsvParser.read(f, ',', new ReadLimits(10, 10, 100_000)))
        .hasMessage("bomb.csv.gz: larger than the limit of 100000 bytes");
  }

  @Test
  void emptyFileIsRefused() throws Exception {
    Path f = write("e.csv", "");
    assertThatThrownBy(() -> CsvParser.read(f, ',', ReadLimits.defaults()))
        .hasMessage("e.csv: empty file (no header row)");
  }
}
