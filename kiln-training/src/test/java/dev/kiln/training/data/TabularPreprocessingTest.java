package dev.kiln.training.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TabularPreprocessingTest {
  @TempDir Path dir;

  private TabularData read(String csv) throws Exception {
    return TabularReader.read(Files.writeString(dir.resolve("t.csv"), csv), DatasetOptions.csv("label"));
  }

  @Test
  void standardScalingUsesTrainingMeanAndStdAndKeepsConstantColumnsFinite() throws Exception {
    TabularData t = read("x,c,label\n1,5,a\n3,5,b\n");
    TabularPreprocessing p = TabularFitter.fit(t, Scaling.STANDARD, MissingPolicy.ERROR);
    assertThat(p.numeric().get(0)).isEqualTo(new TabularPreprocessing.NumericFit("x", 2f, 2f, 1f));
    assertThat(p.numeric().get(1).scale()).isEqualTo(1f);
    assertThat(TabularFitter.transform(p, t)).containsExactly(-1f, 0f, 1f, 0f);
  }

  @Test
  void minmaxAndMedianFill() throws Exception {
    TabularData t = read("x,label\n0,a\n10,b\nNA,a\n2,b\n");
    TabularPreprocessing p = TabularFitter.fit(t, Scaling.MINMAX, MissingPolicy.MEDIAN);
    assertThat(TabularFitter.transform(p, t)).containsExactly(0f, 1f, 0.2f, 0.2f);
  }

  @Test
  void categoriesOneHotInSortedOrderWithModeFillAndUnknownAsZeros() throws Exception {
    TabularData train = read("c,label\nred,a\nblue,b\nred,a\n");
    TabularPreprocessing p = TabularFitter.fit(train, Scaling.NONE, MissingPolicy.MODE);
    assertThat(p.categorical().get(0).categories()).containsExactly("blue", "red");
    float[] out = new float[2];
    p.apply(new double[0], new String[] {"green"}, out, 0);
    assertThat(out).containsExactly(0f, 0f);
    p.apply(new double[0], new String[] {null}, out, 0);
    assertThat(out).containsExactly(0f, 1f);
  }

  @Test
  void onnxGraphOnRawRowsEqualsJavaPreparation() throws Exception {
    TabularData train =
        read("x,size,colour,y2,label\n1.5,S,red,10,a\n-2,M,blue,20,b\n4,L,red,NA,a\n" + "0.25,M,green,40,b\n");
    TabularPreprocessing p = TabularFitter.fit(train, Scaling.STANDARD, MissingPolicy.MEAN);
    TabularData serve = read("x,size,colour,y2,label\n3,XL,red,7,a\nNA,S,?,NA,b\n-1,,blue,1e3,a\n");
    float[] java = TabularFitter.transform(p, serve);
    float[][] features = {{3, 7}, {Float.NaN, Float.NaN}, {-1, 1000}};
    String[][] categories = {{"XL", "red"}, {"S", "?"}, {"", "blue"}};
    float[] onnx = OrtRun.run(p, 2, Map.of("features", features, "categories", categories));
    assertThat(onnx).hasSize(3 * p.width());
    for (int i = 0; i < java.length; i++) {
      assertThat(onnx[i]).as("element %d", i).isCloseTo(java[i], within(1e-6f));
    }
    // Row 0's unseen size "XL" one-hots to zeros; row 1's missing colour takes the mode, red.
    assertThat(java[2]).isEqualTo(0f);
  }

  @Test
  void numericOnlyGraphNeedsNoCategoriesInput() throws Exception {
    TabularData train = read("x,label\n1,a\n3,b\n");
    TabularPreprocessing p = TabularFitter.fit(train, Scaling.STANDARD, MissingPolicy.ERROR);
    assertThat(p.rawInputs()).hasSize(1);
    assertThat(OrtRun.run(p, 2, Map.of("features", new float[][] {{1}, {5}}))).containsExactly(-1f, 3f);
  }

  @Test
  void everyPreprocessingRoundTripsThroughJson() throws Exception {
    ObjectMapper json = new ObjectMapper();
    Preprocessing tab = TabularFitter.fit(read("x,c,label\n1,u,a\n2,v,b\n"), Scaling.STANDARD, MissingPolicy.MODE);
    for (Preprocessing p :
        new Preprocessing[] {tab, new ImagePreprocessing(3, 8, 8), new TextPreprocessing(java.util.List.of("hi"), 4)}) {
      String s = json.writeValueAsString(p);
      assertThat(json.readValue(s, Preprocessing.class)).isEqualTo(p);
    }
    assertThat(json.writeValueAsString(tab)).contains("\"kind\":\"tabular\"");
  }
}
