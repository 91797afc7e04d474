package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.govern.blob.StoreLocation;
import dev.kiln.govern.crypto.MasterKeys;
import dev.kiln.govern.testing.S3Server;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's proof for training, with three server processes ({@link #main}) that share nothing but the governance
 * database (PostgreSQL when {@code KILN_TEST_POSTGRES_URL} is set, and always under {@code CI=true}; else one SQLite
 * file outside every data folder) and an S3 artifact store (s3proxy): each has its own data folder and model folder.
 * The dataset is uploaded through replica 3, which runs no jobs, so the replicas that train read it from the database
 * and the store only. A job submitted through replica 2 runs once, its progress streams through replica 3, killing
 * (SIGKILL) the replica that runs it hands it to the other, which resumes from the published checkpoint, and its model
 * deploys through replica 3; the stream and the deploy always cross processes.
 */
class TrainingReplicasTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int EPOCHS = 50;

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  @TempDir Path dir;
  private final Process[] replicas = new Process[3];
  private PostgresSchema schema;
  private S3Server s3;
  private String database;

  /**
   * A replica: args are the model folder, data folder, master key, jobs it runs at once, database URL, artifact store
   * ({@code s3://bucket/prefix}) and its endpoint; the S3 credentials come from the environment.
   */
  public static void main(String[] args) throws Exception {
    GovernanceConfig g =
        GovernanceConfig.defaults(Path.of(args[1]))
            .withAuth(false)
            .withMasterKey(Path.of(args[2]))
            .withScratch(scratch(Path.of(args[1])))
            .withDatabase(
                new GovernanceConfig.Database(
                    args[4],
                    Optional.ofNullable(System.getenv("KILN_TEST_POSTGRES_USER")),
                    Optional.ofNullable(System.getenv("KILN_TEST_POSTGRES_PASSWORD"))))
            .withArtifactStore(((StoreLocation.S3) StoreLocation.parse(args[5])).withEndpoint(URI.create(args[6])));
    // A short lease: a dead runner's job is taken over 2 s after its last heartbeat.
    TrainingConfig t =
        TrainingConfig.defaults(Path.of(args[1]))
            .withLease(Duration.ofSeconds(2))
            .withConcurrency(Integer.parseInt(args[3]), 1);
    Kiln k = Kiln.start(KilnConfig.defaults(Path.of(args[0]), 0, 0).withTraining(t).withGovernance(g));
    System.out.println("port " + k.httpPort());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }

  @AfterEach
  void stop() throws Exception {
    for (Process p : replicas) {
      if (p != null) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    }
    if (schema != null) {
      schema.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  @Test
  void aJobRunsOnceStreamsThroughAnotherReplicaSurvivesItsRunnersDeathAndDeploysThroughAThird() throws Exception {
    long t0 = System.nanoTime();
    if (System.getenv(PostgresSchema.URL_VARIABLE) != null || "true".equals(System.getenv("CI"))) {
      schema = PostgresSchema.create(); // fails under CI without PostgreSQL
      database = schema.url();
    } else {
      database = "jdbc:sqlite:" + dir.resolve("shared-governance.db"); // shared: outside every replica's data folder
    }
    s3 = S3Server.start(dir.resolve("s3"));
    s3.createBucket("kiln-replicas");
    Path masterKey = dir.resolve("master.key");
    MasterKeys.generate(masterKey);
    int r1 = start(0, masterKey, 1); // first alone: it creates the schema
    CompletableFuture<Integer> second = CompletableFuture.supplyAsync(() -> startQuietly(1, masterKey, 1));
    int r3 = start(2, masterKey, 0); // serves the API, runs no jobs
    int r2 = second.join();
    int submitter = r2;
    int[] ports = {r1, r2, r3};
    double started = (System.nanoTime() - t0) / 1e9;

    // Through the replica that never trains: the trainers find the dataset only in the database and the store.
    ok(send(r3, "POST", "/api/v1/datasets/digits?label=digit", TrainingApiTest.DIGITS_CSV), 201);
    ObjectNode request = JSON.createObjectNode().put("dataset", "digits").put("model", TrainingApiTest.MLP);
    request.putObject("training").put("epochs", EPOCHS).put("batch_size", 32);
    long id = ok(send(submitter, "POST", "/api/v1/jobs", request.toString()), 202).get("id").asLong();

    List<Map.Entry<String, JsonNode>> events = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> stream = CompletableFuture.runAsync(() -> follow(r3, id, events));
    // Killed once three epochs are checkpointed and published (every epoch is: checkpoint_every 1).
    await(() -> epochs(events).size() >= 3, 60, "three epochs streamed through replica 3");
    int runner = runnerOf(id);
    String firstOwner = job(r3, id).get("owner").asText();
    replicas[runner].destroyForcibly(); // SIGKILL: no release, no last heartbeat
    replicas[runner].waitFor(10, TimeUnit.SECONDS);
    int seenBeforeKill = epochs(events).size();
    double killed = (System.nanoTime() - t0) / 1e9;
    stream.get(120, TimeUnit.SECONDS);
    double ended = (System.nanoTime() - t0) / 1e9;

    JsonNode done = job(r3, id);
    assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
    assertThat(done.get("history"))
        .extracting(h -> h.get("epoch").asInt())
        .containsExactlyElementsOf(IntStream.rangeClosed(1, EPOCHS).boxed().toList());
    // Each runner claimed it once: the first until it died, the survivor after the lease ran out; replica 3 never.
    int survivor = runner == 0 ? 1 : 0;
    assertThat(claims(runner, id)).isEqualTo(1);
    assertThat(claims(survivor, id)).isEqualTo(1);
    assertThat(claims(2, id)).isZero();
    assertThat(log(survivor)).contains("running job " + id + " (taken over or resumed)");
    // Through replica 3: the takeover as a state event with the new owner, then epochs that go on from the
    // checkpoint, never from epoch 1 again; the epochs trained before the kill are kept as they were measured.
    int takeover = indexOfTakeover(events, firstOwner);
    assertThat(takeover).as("a state event with the new owner: %s", events).isPositive();
    List<Integer> after =
        events.subList(takeover, events.size()).stream()
            .filter(e -> e.getKey().equals("epoch"))
            .map(e -> e.getValue().get("epoch").asInt())
            .toList();
    assertThat(after).isNotEmpty().allMatch(e -> e > 1);
    // The survivor says where it went on from; a run from scratch would have trained every epoch again and replaced
    // its record (the stream sends an epoch once, so the stored history is what tells): each epoch before that one is
    // as streamed before the kill.
    Matcher resumed =
        Pattern.compile("job " + id + " resumes at epoch (\\d+) from its checkpoint").matcher(log(survivor));
    assertThat(resumed.find()).as(log(survivor)).isTrue();
    int resumedAt = Integer.parseInt(resumed.group(1));
    assertThat(resumedAt).isGreaterThan(1);
    List<JsonNode> beforeTakeover = epochs(events.subList(0, takeover));
    assertThat(beforeTakeover).extracting(e -> e.get("epoch").asInt()).contains(resumedAt - 1);
    for (JsonNode e : beforeTakeover) {
      if (e.get("epoch").asInt() < resumedAt) {
        assertThat(done.get("history").get(e.get("epoch").asInt() - 1)).isEqualTo(e);
      }
    }
    assertThat(epochs(events)).extracting(e -> e.get("epoch").asInt()).doesNotHaveDuplicates();
    assertThat(events.get(events.size() - 1).getKey()).isEqualTo("state");

    // Replica 3 fetches the model the survivor published, deploys it, and serves it.
    JsonNode deployed = ok(send(r3, "POST", "/api/v1/jobs/" + id + "/deploy", "{\"name\":\"digits\"}"), 201);
    assertThat(deployed.get("version").asText()).isEqualTo("1");
    String row = TrainingApiTest.DIGITS_CSV.split("\n")[1].trim();
    String features = row.substring(0, row.lastIndexOf(','));
    String infer =
        "{\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[1,64],\"data\":[" + features + "]}]}";
    await(() -> send(r3, "POST", "/v2/models/digits/infer", infer).statusCode() == 200, 10, "replica 3 serves it");
    await(
        () -> send(ports[survivor], "POST", "/v2/models/digits/infer", infer).statusCode() == 200,
        10,
        "the survivor serves it");
    // Nothing of the job, the dataset or the model is kept only in a replica's own folder: all are in the bucket.
    for (int i = 1; i <= 3; i++) {
      Path own = dir.resolve("data-" + i);
      assertThat(own.resolve("jobs")).doesNotExist();
      assertThat(own.resolve("datasets")).doesNotExist();
      assertThat(own.resolve("artifacts").resolve("objects")).doesNotExist();
    }
    try (Stream<Path> objects = Files.walk(s3.folder().resolve("kiln-replicas"))) {
      assertThat(objects.filter(Files::isRegularFile).count()).isGreaterThan(3);
    }
    double served = (System.nanoTime() - t0) / 1e9;
    // The killed runner left its plaintext scratch (the job's working folder in it) behind; its next start removes it.
    Path scratches = scratch(dir.resolve("data-" + (runner + 1)));
    List<Path> left = folders(scratches);
    assertThat(left).hasSize(1);
    assertThat(left.get(0).resolve("jobs").resolve(Long.toString(id))).isDirectory();
    start(runner, dir.resolve("master.key"), 0);
    assertThat(folders(scratches)).hasSize(1).doesNotContainAnyElementsOf(left);
    System.out.printf(
        "training replicas: up at %.1f s, runner killed at %.1f s after %d streamed epochs, survivor resumed at epoch"
            + " %d, job ended at %.1f s, deployed and served by %.1f s, the killed runner restarted by %.1f s%n",
        started, killed, seenBeforeKill, resumedAt, ended, served, (System.nanoTime() - t0) / 1e9);
  }

  /** Where a replica with data folder {@code data} keeps its plaintext scratch: beside it, so the test can look. */
  static Path scratch(Path data) {
    return data.resolveSibling(data.getFileName() + "-scratch");
  }

  private static List<Path> folders(Path parent) throws Exception {
    try (Stream<Path> all = Files.list(parent)) {
      return all.filter(Files::isDirectory).toList();
    }
  }

  private int startQuietly(int index, Path masterKey, int jobs) {
    try {
      return start(index, masterKey, jobs);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Starts replica {@code index} (0, 1, 2), running {@code jobs} at once; its HTTP port. */
  private int start(int index, Path masterKey, int jobs) throws Exception {
    ChildJvm started =
        ChildJvm.start(
            TrainingReplicasTest.class,
            List.of(
                Files.createDirectories(dir.resolve("models-" + (index + 1))).toString(),
                Files.createDirectories(dir.resolve("data-" + (index + 1))).toString(),
                masterKey.toString(),
                Integer.toString(jobs),
                database,
                "s3://kiln-replicas/artifacts",
                s3.endpoint().toString()),
            s3.environment(),
            logFile(index),
            "replica " + (index + 1));
    replicas[index] = started.process();
    return started.port();
  }

  private Path logFile(int index) {
    return dir.resolve("r" + (index + 1) + ".log");
  }

  private String log(int index) throws Exception {
    return Files.readString(logFile(index));
  }

  /** How often replica {@code index} started running job {@code id} (JobRunner logs each claim). */
  private long claims(int index, long id) throws Exception {
    return log(index).lines().filter(l -> l.matches(".*running job " + id + "( .*)?")).count();
  }

  /** Which of the two job-running replicas runs job {@code id}. */
  private int runnerOf(long id) throws Exception {
    for (int i = 0; i < 2; i++) {
      if (claims(i, id) > 0) {
        return i;
      }
    }
    throw new AssertionError("no replica logged running job " + id + ":\n" + log(0) + "\n" + log(1));
  }

  private static int indexOfTakeover(List<Map.Entry<String, JsonNode>> events, String firstOwner) {
    for (int i = 0; i < events.size(); i++) {
      Map.Entry<String, JsonNode> e = events.get(i);
      if (e.getKey().equals("state")
          && e.getValue().get("state").asText().equals("RUNNING")
          && !e.getValue().path("owner").asText().equals(firstOwner)
          && !e.getValue().path("owner").asText().isEmpty()
          && i > 1) {
        return i;
      }
    }
    return -1;
  }

  private static List<JsonNode> epochs(List<Map.Entry<String, JsonNode>> events) {
    return events.stream().filter(e -> e.getKey().equals("epoch")).map(Map.Entry::getValue).toList();
  }

  /** Reads the job's event stream from replica {@code port} into {@code events} until the server ends it. */
  private void follow(int port, long id, List<Map.Entry<String, JsonNode>> events) {
    try {
      HttpResponse<InputStream> r =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/jobs/" + id + "/events")).build(),
              HttpResponse.BodyHandlers.ofInputStream());
      assertThat(r.statusCode()).isEqualTo(200);
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
        String event = null;
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          if (line.startsWith("event: ")) {
            event = line.substring(7);
          } else if (line.startsWith("data: ")) {
            events.add(Map.entry(event, JSON.readTree(line.substring(6))));
          }
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private interface Condition {
    boolean holds() throws Exception;
  }

  private static void await(Condition c, int seconds, String what) throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!c.holds()) {
      assertThat(System.nanoTime()).as(what + " within " + seconds + " s").isLessThan(until);
      Thread.sleep(100);
    }
  }

  private JsonNode job(int port, long id) throws Exception {
    return ok(send(port, "GET", "/api/v1/jobs/" + id, null), 200);
  }

  private HttpResponse<String> send(int port, String method, String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode ok(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return JSON.readTree(r.body());
  }
}
