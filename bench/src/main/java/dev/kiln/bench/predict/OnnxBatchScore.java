package dev.kiln.bench.predict;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Scores a CSV of numeric columns with a Kiln-exported tabular ONNX model in this process, in batches, as {@code kiln
 * predict} does through a server: read a batch of rows, one {@code OrtSession.run} on an {@code [n, columns]} FP32
 * tensor (columns from the model's {@code kiln.columns} metadata, an empty cell as NaN, the model's missing value),
 * write {@code row,prediction,p_0,...} lines. Prints {@code rows=N seconds=S rows_per_s=R} to stdout.
 *
 * <p>{@code OnnxBatchScore MODEL.onnx IN.csv OUT.csv BATCH}
 */
public final class OnnxBatchScore {
  private OnnxBatchScore() {}

  public static void main(String[] args) throws Exception {
    Path model = Path.of(args[0]);
    Path in = Path.of(args[1]);
    Path out = Path.of(args[2]);
    int batch = Integer.parseInt(args[3]);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    options.setIntraOpNumThreads(1); // as Kiln's engine runs a model (one intra-op thread by default)
    try (OrtSession session = env.createSession(model.toString(), options);
        BufferedReader reader = Files.newBufferedReader(in, StandardCharsets.UTF_8);
        BufferedWriter writer = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      JsonNode columns = new ObjectMapper().readTree(session.getMetadata().getCustomMetadata().get("kiln.columns"));
      String input = columns.fieldNames().next();
      List<String> names = new ArrayList<>();
      columns.get(input).forEach(c -> names.add(c.asText()));
      List<String> header = Arrays.asList(reader.readLine().split(","));
      int[] picks = names.stream().mapToInt(header::indexOf).toArray();
      int width = picks.length;
      long started = System.nanoTime();
      long rows = 0;
      float[] values = new float[batch * width];
      writer.write("row,prediction");
      boolean wroteScores = false;
      while (true) {
        int n = 0;
        for (String line; n < batch && (line = reader.readLine()) != null; n++) {
          String[] f = line.split(",", -1);
          for (int c = 0; c < width; c++) {
            String cell = f[picks[c]];
            values[n * width + c] = cell.isEmpty() ? Float.NaN : Float.parseFloat(cell);
          }
        }
        if (n == 0) {
          break;
        }
        try (OnnxTensor x =
                OnnxTensor.createTensor(env, FloatBuffer.wrap(values, 0, n * width), new long[] {n, width});
            OrtSession.Result r = session.run(Map.of(input, x))) {
          float[][] p = (float[][]) r.get("probabilities").orElseThrow().getValue();
          String[] classes = (String[]) r.get("class").orElseThrow().getValue();
          StringBuilder s = new StringBuilder();
          if (!wroteScores) {
            for (int k = 0; k < p[0].length; k++) {
              s.append(",p_").append(k);
            }
            s.append('\n');
            wroteScores = true;
          }
          for (int i = 0; i < n; i++) {
            s.append(rows + i + 1).append(',').append(classes[i]);
            for (float v : p[i]) {
              s.append(',').append(v);
            }
            s.append('\n');
          }
          writer.write(s.toString());
        }
        rows += n;
        if (n < batch) {
          break;
        }
      }
      writer.flush();
      double seconds = (System.nanoTime() - started) / 1e9;
      System.out.printf("rows=%d seconds=%.3f rows_per_s=%.0f%n", rows, seconds, rows / seconds);
    }
  }
}
