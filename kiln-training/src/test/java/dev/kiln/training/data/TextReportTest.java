package dev.kiln.training.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextReportTest {
  @TempDir Path root;
  @TempDir Path src;

  @Test
  void mixedScriptTextsAreCountedInTheCharactersAutoPicks() {
    // "模型 v2 很快。" is 模 型 v2 很 快 。 (6 tokens); "GPU 训练" is gpu 训 练 (3); "好" is 1.
    TextData data = new TextData("t", List.of("模型 v2 很快。", "GPU 训练", "好", "!!"), List.of("b", "a", "a", "a"));
    TextReport r = TextReport.of(data, List.of("a", "b", "c"));
    assertThat(r.tokenizer()).isEqualTo(Tokenization.Mode.CHARS);
    assertThat(r.tokens()).isEqualTo(6 + 3 + 1 + 2);
    assertThat(r.vocabulary()).isEqualTo(11); // 模 型 v2 很 快 。 gpu 训 练 好 !
    assertThat(r.coverage()).isEqualTo(1.0);
    assertThat(r.lengths()).isEqualTo(new TextReport.Lengths(3.0, 2, 6, 6, 6, 0));
    assertThat(r.classCounts()).containsExactly(entry("a", 3L), entry("b", 1L), entry("c", 0L));
  }

  @Test
  void coverageIsTheShareOfTokensTheDefaultVocabularyCapKeeps() {
    // 12,000 words seen once and "common" 12,000 times: the cap (10,000) keeps "common" and 9,999 of the others.
    List<String> texts = new ArrayList<>(IntStream.range(0, 12_000).mapToObj(i -> "w" + i).toList());
    texts.addAll(Collections.nCopies(6_000, "common common"));
    TextReport r = TextReport.of(new TextData("t", texts, Collections.nCopies(texts.size(), "x")), List.of("x"));
    assertThat(r.tokenizer()).isEqualTo(Tokenization.Mode.WORDS);
    assertThat(r.maxVocabulary()).isEqualTo(10_000);
    assertThat(r.vocabulary()).isEqualTo(12_001);
    assertThat(r.tokens()).isEqualTo(24_000);
    assertThat(r.coverage()).isCloseTo((12_000 + 9_999) / 24_000.0, within(1e-4));
    assertThat(r.lengths().p50()).isEqualTo(1);
    assertThat(r.lengths().p90()).isEqualTo(2);
    assertThat(r.maxLength()).isEqualTo(2);
    assertThat(r.truncated()).isZero();
  }

  @Test
  void longTextsBeyondTheDefaultLengthAreCountedAsTruncatedAndEmptyOnesAsEmpty() {
    List<String> texts = new ArrayList<>(Collections.nCopies(95, "one two"));
    texts.addAll(Collections.nCopies(4, "a b c d e f g h i j"));
    texts.add("...");
    TextReport r = TextReport.of(new TextData("t", texts, Collections.nCopies(100, "x")), List.of("x"));
    assertThat(r.maxLength()).isEqualTo(2); // the 95th percentile
    assertThat(r.truncated()).isEqualTo(0.04);
    assertThat(r.lengths().p99()).isEqualTo(10);
    assertThat(r.lengths().max()).isEqualTo(10);
    assertThat(r.lengths().empty()).isEqualTo(1);
  }

  @Test
  void aTextUploadStoresItsReportInTheManifestAndOtherFormatsNone() {
    FileDatasetStore store = new FileDatasetStore(root);
    String csv = "text,label\n\"中文文本，很短。\",zh\nplain english words here,en\n\"又一句中文\",zh\n";
    DatasetManifest m =
        store.add(
            "texts",
            new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)),
            DatasetOptions.textCsv("text", "label"));
    assertThat(m.text()).isNotNull();
    assertThat(m.text().tokenizer()).isEqualTo(Tokenization.Mode.CHARS);
    assertThat(m.text().classCounts()).containsExactly(entry("en", 1L), entry("zh", 2L));
    assertThat(new FileDatasetStore(root).get("texts", 1).orElseThrow().manifest()).isEqualTo(m);
    DatasetManifest tabular =
        store.add("lin", SampleData.linear(src.resolve("lin.csv"), 20, 3), DatasetOptions.csv("y"));
    assertThat(tabular.text()).isNull();
  }

  @Test
  void aDatasetsOwnTextOptionsAreWhatItsReportMeasuresAndItsManifestKeeps() {
    FileDatasetStore store = new FileDatasetStore(root);
    // Words, not lower-cased: 模型 V2 很快 | GPU 训练 | 模型 v2; seen twice: 模型 only.
    String csv = "text,label\n模型 V2 很快,a\nGPU 训练,b\n模型 v2,a\n";
    TextPreparation own = new TextPreparation(TextOptions.Choice.WORDS, null, false, null, 2, 1, 2);
    DatasetManifest m =
        store.add(
            "texts",
            new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)),
            DatasetOptions.textCsv("text", "label").withPreparation(own));
    assertThat(m.text().tokenizer()).isEqualTo(Tokenization.Mode.WORDS);
    assertThat(m.text().vocabulary()).isEqualTo(6); // v2 and V2 apart
    assertThat(m.text().coverage()).isCloseTo(2 / 7.0, within(1e-4)); // only 模型 is seen min_count (2) times
    assertThat(m.text().maxVocabulary()).isEqualTo(1);
    assertThat(m.text().maxLength()).isEqualTo(2);
    assertThat(m.text().truncated()).isCloseTo(1 / 3.0, within(1e-4));
    assertThat(new FileDatasetStore(root).get("texts", 1).orElseThrow().manifest().options().preparation())
        .isEqualTo(own);
    PrepareOptions job = m.options().prepareOptions();
    assertThat(job.text().tokenization(List.of("模型")).mode()).isEqualTo(Tokenization.Mode.WORDS);
    assertThat(job.text().lowercase()).isFalse();
    assertThat(job.text().minCount()).isEqualTo(2);
    assertThat(job.maxLength()).isEqualTo(2);
  }
}
