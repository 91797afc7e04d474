package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Column policies for personal data through a governed server: what an upload drops, hashes or masks never reaches the
 * data folder or the artifact store, the model trained on it is served without the dropped column, and a name's hashes
 * agree across its versions.
 */
class ColumnPolicyApiTest extends GovernanceServerFixture {
  private static final String POLICY = "drop=email&hash=customer_id&mask=postcode:2";

  /** Customers c1..c5, each with an e-mail address and a postcode; y = 2x + 1, plus 10 for customer 1. */
  static String people(int rows, int offset) {
    StringBuilder csv = new StringBuilder("customer_id,email,x,postcode,y\r\n");
    for (int i = 0; i < rows; i++) {
      int x = i + offset;
      int c = x % 5 + 1;
      csv.append("cust-")
          .append(1000 + c)
          .append(",\"person.")
          .append(x)
          .append("@mail.example\",")
          .append(x)
          .append(",\"PC")
          .append(c)
          .append("9 7XY\",")
          .append(2 * x + 1 + (c == 1 ? 10 : 0))
          .append("\r\n");
    }
    return csv.toString();
  }

  @Test
  void policiedColumnsNeverReachStorageAndTheModelServesWithoutThem() throws Exception {
    start(false);
    HttpResponse<String> r = call("POST", "/api/v1/datasets/people?label=y&" + POLICY, null, people(40, 0));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonNode v1 = JSON.readTree(r.body());
    assertThat(JSON.convertValue(v1.get("columns"), String[].class)).containsExactly("customer_id", "x", "postcode");
    assertThat(v1.at("/options/policy/drop/0").asText()).isEqualTo("email");
    assertThat(v1.at("/options/policy/hash/0").asText()).isEqualTo("customer_id");
    assertThat(v1.at("/options/policy/mask/postcode").asInt()).isEqualTo(2);
    r = call("POST", "/api/v1/datasets/people?label=y&" + POLICY, null, people(40, 3));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);

    long job1 = train("people", 1);
    long job2 = train("people", 2);
    List<String[]> rows1 = rows(job1);
    List<String[]> rows2 = rows(job2);
    assertThat(rows1.get(0)).containsExactly("customer_id", "x", "postcode", "y");
    Set<String> ids = new HashSet<>();
    rows1.stream().skip(1).forEach(row -> ids.add(row[0]));
    assertThat(ids).hasSizeBetween(2, 5).allMatch(h -> h.matches("[0-9a-f]{64}"));
    // The same customer hashes alike in both versions: x decides the customer, so rows with equal x agree.
    int compared = 0;
    for (String[] a : rows1.subList(1, rows1.size())) {
      for (String[] b : rows2.subList(1, rows2.size())) {
        if (Integer.parseInt(a[1]) % 5 == Integer.parseInt(b[1]) % 5) {
          assertThat(b[0]).isEqualTo(a[0]);
          compared++;
        }
      }
    }
    assertThat(compared).isPositive();
    assertThat(rows1.get(1)[2]).matches("PC");

    JsonNode job = JSON.readTree(call("GET", "/api/v1/jobs/" + job1, null, (String) null).body());
    assertThat(job.at("/state").asText()).isEqualTo("SUCCEEDED");
    // The policy (never the key) travels with the model: the exported ONNX file's kiln.dataset.policy.
    byte[] onnx =
        http.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + kiln.httpPort() + "/api/v1/jobs/" + job1 + "/model"))
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray())
            .body();
    String policy = "{\"drop\":[\"email\"],\"hash\":[\"customer_id\"],\"mask\":{\"postcode\":2}}";
    assertThat(new String(onnx, StandardCharsets.ISO_8859_1)).contains("kiln.dataset.policy").contains(policy);
    r = call("POST", "/api/v1/jobs/" + job1 + "/deploy", null, "{\"name\":\"people\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonNode meta = JSON.readTree(call("GET", "/v2/models/people", null, (String) null).body());
    List<String> columns = new ArrayList<>();
    meta.at("/inputs").forEach(in -> in.at("/parameters/columns").forEach(c -> columns.add(c.asText())));
    assertThat(columns).containsExactlyInAnyOrder("customer_id", "x", "postcode");
    // Clients send raw values: the server hashes and masks them as the upload did (customer 1's bonus shows), and
    // ignores the dropped column when sent by name.
    String infer =
        "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[2],\"data\":[10,20]},"
            + "{\"name\":\"customer_id\",\"datatype\":\"BYTES\",\"shape\":[2],\"data\":[\"cust-1001\",\" cust-1002\"]},"
            + "{\"name\":\"email\",\"datatype\":\"BYTES\",\"shape\":[2],\"data\":[\"a@b.c\",\"d@e.f\"]},"
            + "{\"name\":\"postcode\",\"datatype\":\"BYTES\",\"shape\":[2],\"data\":[\"PC19 7XY\",\"PC29 7XY\"]}]}";
    r = call("POST", "/v2/models/people/infer", null, infer);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode prediction = JSON.readTree(r.body()).at("/outputs/0/data");
    assertThat(prediction.get(0).asDouble()).isCloseTo(31.0, within(0.5));
    assertThat(prediction.get(1).asDouble()).isCloseTo(41.0, within(0.5));

    // Nothing stored anywhere holds an e-mail address or a raw id: the data folder (datasets, jobs, keys) and the
    // repository.
    for (Path root : List.of(data, repo)) {
      assertNowhere(root, "@mail.example");
      assertNowhere(root, "cust-10");
      assertNowhere(root, "7XY");
    }
    assertThat(Files.exists(data.resolve("dataset-keys"))).as("governed: keys live in the artifact store").isFalse();
  }

  @Test
  void theUploadReportListsColumnsThatLookPersonalAndChangesNothing() throws Exception {
    start(false);
    StringBuilder csv = new StringBuilder("customer_id,email,x,phone,y\n");
    for (int x = 0; x < 10; x++) {
      csv.append("c").append(x).append(",p").append(x).append("@mail.example,").append(x);
      csv.append(",+44 20 7946 09").append(10 + x).append(',').append(2 * x + 1).append('\n');
    }
    HttpResponse<String> r = call("POST", "/api/v1/datasets/raw?label=y", null, csv.toString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonNode report = JSON.readTree(r.body());
    assertThat(report.get("personal_columns").toString())
        .isEqualTo(
            "[{\"column\":\"email\",\"looks_like\":\"email\",\"matches\":10,\"values\":10},"
                + "{\"column\":\"phone\",\"looks_like\":\"phone\",\"matches\":10,\"values\":10}]");
    assertThat(report.get("columns")).hasSize(4);
    assertThat(report.get("options").has("policy")).isFalse();
  }

  @Test
  void theRegistrysCleanUpAtARestartKeepsTheDatasetKeys() throws Exception {
    start(false);
    HttpResponse<String> r = call("POST", "/api/v1/datasets/people?label=y&" + POLICY, null, people(20, 0));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    // Older than the clean-up's grace period, and no model version points to it: only the dataset_keys row keeps it.
    try (Stream<Path> files = Files.walk(data.resolve("artifacts"))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.setLastModifiedTime(f, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
      }
    }
    kiln.close();
    start(false);
    r = call("POST", "/api/v1/datasets/people?label=y&" + POLICY, null, people(20, 0));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    assertThat(JSON.readTree(r.body()).get("sha256").asText())
        .as("the same rows hash alike after the restart")
        .isEqualTo(
            JSON.readTree(call("GET", "/api/v1/datasets/people/versions/1", null, (String) null).body())
                .get("sha256")
                .asText());
  }

  @Test
  void badPoliciesAreRefusedNamingTheColumn() throws Exception {
    start(false);
    String csv = people(10, 0);
    expect400("label=y&drop=y", csv, "'y'");
    expect400("label=y&hash=phone", csv, "'phone'");
    expect400("label=y&mask=postcode", csv, "column:N");
    expect400("label=y&mask=postcode:0", csv, "'postcode'");
    expect400("label=y&drop=email&hash=email", csv, "'email'");
    expect400("label=y&format=image_folder&drop=email", csv, "'email'");
    assertThat(JSON.readTree(call("GET", "/api/v1/datasets", null, (String) null).body())).isEmpty();
  }

  private void expect400(String query, String csv, String names) throws Exception {
    HttpResponse<String> r = call("POST", "/api/v1/datasets/bad?" + query, null, csv);
    assertThat(r.statusCode()).as(query + ": " + r.body()).isEqualTo(400);
    assertThat(r.body()).as(query).contains(names);
  }

  private long train(String dataset, int version) throws Exception {
    String request =
        "{\"dataset\":\""
            + dataset
            + "\",\"dataset_version\":"
            + version
            + ",\"model\":\"type: linear_regression\",\"training\":{\"epochs\":2}}";
    HttpResponse<String> r = call("POST", "/api/v1/jobs", null, request);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    long id = JSON.readTree(r.body()).get("id").asLong();
    for (int i = 0; i < 1200; i++) {
      String state = JSON.readTree(call("GET", "/api/v1/jobs/" + id, null, (String) null).body()).get("state").asText();
      if (!state.matches("QUEUED|RUNNING")) {
        assertThat(state).isEqualTo("SUCCEEDED");
        return id;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("job " + id + " did not finish");
  }

  private List<String[]> rows(long job) throws Exception {
    String split = URLEncoder.encode("train", StandardCharsets.UTF_8);
    HttpResponse<String> r = call("GET", "/api/v1/jobs/" + job + "/splits?as=csv&split=" + split, null, (String) null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.body().lines().map(l -> l.split(",")).toList();
  }

  static void assertNowhere(Path root, String marker) throws IOException {
    byte[] needle = marker.getBytes(StandardCharsets.UTF_8);
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        byte[] bytes = Files.readAllBytes(f);
        assertThat(indexOf(bytes, needle)).as(marker + " in " + root.relativize(f)).isNegative();
      }
    }
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
