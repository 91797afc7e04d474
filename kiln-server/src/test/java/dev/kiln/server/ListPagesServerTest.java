package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.training.job.FileJobStore;
import dev.kiln.training.job.Job;
import dev.kiln.training.job.JobRequest;
import dev.kiln.training.job.JobState;
import dev.kiln.training.job.SweepTrial;
import dev.kiln.training.spec.ModelSpec;
import dev.kiln.training.spec.ModelType;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The list APIs the web console pages through, on a real server with auth: {@code limit}, {@code offset}, the total in
 * {@code X-Total-Count}, server-side filters, 400s naming the parameter, and a key that is not an admin never sees
 * another key's jobs whatever page or filter it asks for. SQLite here, PostgreSQL in {@link
 * GovernanceOnPostgresqlTest}.
 */
class ListPagesServerTest extends GovernanceServerFixture {
  private static final List<String> DATASETS = List.of("digits", "Iris", "sales");

  @Test
  void jobsArePagedNewestFirstFilteredAndEachKeySeesOnlyItsOwn() throws Exception {
    start(true);
    String alice = key("alice", "train");
    String bob = key("bob", "train");
    // 25 finished jobs written as an earlier Kiln kept them, imported at the next start: alternately alice's and bob's.
    kiln.close();
    FileJobStore old = new FileJobStore(data.resolve("jobs"));
    for (int i = 0; i < 25; i++) {
      JobRequest r =
          new JobRequest(
              DATASETS.get(i % 3),
              1,
              new ModelSpec(i < 10 ? ModelType.LOGISTIC_REGRESSION : null, null, null, null, null),
              null,
              null);
      String owner = id(i % 2 == 0 ? alice : bob);
      Job job = i % 5 == 0 ? old.create(r, owner, new SweepTrial(4, i, Map.of())) : old.create(r, owner);
      JobState end = i % 4 == 0 ? JobState.FAILED : JobState.SUCCEEDED;
      old.update(job.id(), j -> finished(j, end));
    }
    start(true);

    HttpResponse<String> first = get("/api/v1/jobs?limit=10", admin);
    assertThat(ids(first)).containsExactly(25L, 24L, 23L, 22L, 21L, 20L, 19L, 18L, 17L, 16L);
    assertThat(first.headers().firstValue("x-total-count")).contains("25");
    assertThat(ids(get("/api/v1/jobs?limit=10&offset=20", admin))).containsExactly(5L, 4L, 3L, 2L, 1L);
    assertThat(ids(get("/api/v1/jobs", admin))).hasSize(25); // the default page holds 100

    // alice walks her pages: only her 13 jobs, whatever the filters.
    List<Long> walked = new ArrayList<>();
    for (int offset = 0; offset < 20; offset += 5) {
      HttpResponse<String> page = get("/api/v1/jobs?limit=5&offset=" + offset, alice);
      assertThat(page.headers().firstValue("x-total-count")).contains("13");
      for (JsonNode j : JSON.readTree(page.body())) {
        assertThat(j.get("created_by").asText()).isEqualTo(id(alice));
        walked.add(j.get("id").asLong());
      }
    }
    assertThat(walked).hasSize(13).doesNotHaveDuplicates().allMatch(id -> id % 2 == 1);
    assertThat(ids(get("/api/v1/jobs?dataset=Iris&limit=1000", bob))).containsExactly(20L, 14L, 8L, 2L);
    assertThat(ids(get("/api/v1/jobs?sweep=4", bob))).containsExactly(16L, 6L);

    assertThat(ids(get("/api/v1/jobs?state=failed", admin))).containsExactly(25L, 21L, 17L, 13L, 9L, 5L, 1L);
    assertThat(ids(get("/api/v1/jobs?state=FAILED&dataset=digits", admin))).containsExactly(25L, 13L, 1L);
    assertThat(ids(get("/api/v1/jobs?q=IRI", admin))).hasSize(8).allMatch(id -> id % 3 == 2);
    assertThat(ids(get("/api/v1/jobs?q=logistic&limit=3&offset=8", admin))).containsExactly(2L, 1L);
    assertThat(ids(get("/api/v1/jobs?q=%25", admin))).isEmpty();
  }

  @Test
  void modelsAreListedByNameWithTheirVersionsAndAliasesAndPaged() throws Exception {
    start(true);
    for (String m : List.of("beta", "alpha", "alphabet")) {
      push(m);
    }
    push("alpha");
    assertThat(call("PUT", "/api/v1/models/alpha/aliases/prod", admin, "{\"version\": 1}").statusCode()).isEqualTo(200);

    HttpResponse<String> all = get("/api/v1/models", admin);
    assertThat(names(all)).containsExactly("alpha", "alphabet", "beta");
    JsonNode alpha = JSON.readTree(all.body()).get(0);
    assertThat(alpha.get("version_count").asLong()).isEqualTo(2);
    assertThat(alpha.get("latest_version").asLong()).isEqualTo(2);
    assertThat(alpha.get("aliases").get("prod").asLong()).isEqualTo(1);
    assertThat(alpha.get("archived").asBoolean()).isFalse();
    assertThat(alpha.hasNonNull("updated")).isTrue();

    HttpResponse<String> page = get("/api/v1/models?q=ALPHA&limit=1&offset=1", admin);
    assertThat(names(page)).containsExactly("alphabet");
    assertThat(page.headers().firstValue("x-total-count")).contains("2");
    String manager = key("beta-manager", "manage:beta*");
    assertThat(names(get("/api/v1/models?limit=10", manager))).containsExactly("beta");
  }

  @Test
  void theAuditLogDatasetsKeysAndUsageArePaged() throws Exception {
    start(true);
    String owner = key("owner", "train");
    for (String name : List.of("sales", "sales-eu", "iris")) {
      HttpResponse<String> r =
          call("POST", "/api/v1/datasets/" + name + "?label=y&task=regression", owner, "x,y\n1,3\n2,5\n3,7\n");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }
    JsonNode whole = JSON.readTree(get("/api/v1/audit", admin).body());
    HttpResponse<String> audit = get("/api/v1/audit?limit=2&offset=1", admin);
    assertThat(JSON.readTree(audit.body()))
        .extracting(e -> e.get("id").asLong())
        .containsExactly(whole.get(1).get("id").asLong(), whole.get(2).get("id").asLong());
    assertThat(audit.headers().firstValue("x-total-count")).contains(Integer.toString(whole.size()));
    HttpResponse<String> created = get("/api/v1/audit?action=dataset.add&limit=1", admin);
    assertThat(created.headers().firstValue("x-total-count")).contains("3");

    assertThat(names(get("/api/v1/datasets?q=SALES", owner))).containsExactly("sales", "sales-eu");
    assertThat(names(get("/api/v1/datasets?limit=1&offset=2", owner))).containsExactly("sales-eu");
    assertThat(names(get("/api/v1/datasets", owner))).hasSize(3);

    HttpResponse<String> keys = get("/api/v1/keys?limit=1", admin);
    assertThat(JSON.readTree(keys.body())).hasSize(1);
    assertThat(keys.headers().firstValue("x-total-count")).contains("2");
    assertThat(get("/api/v1/usage?limit=5&offset=0", owner).statusCode()).isEqualTo(200);
  }

  @Test
  void badPageValuesAre400sNamingTheParameter() throws Exception {
    start(true);
    Map<String, String> refusals =
        Map.ofEntries(
            Map.entry("/api/v1/jobs?limit=0", "limit"),
            Map.entry("/api/v1/jobs?limit=1001", "limit"),
            Map.entry("/api/v1/jobs?limit=ten", "limit"),
            Map.entry("/api/v1/jobs?offset=-1", "offset"),
            Map.entry("/api/v1/jobs?offset=99999999999999999999", "offset"),
            Map.entry("/api/v1/jobs?state=done", "state"),
            Map.entry("/api/v1/jobs?sweep=x", "sweep"),
            Map.entry("/api/v1/models?limit=-5", "limit"),
            Map.entry("/api/v1/models?offset=1.5", "offset"),
            Map.entry("/api/v1/audit?limit=10001", "limit"),
            Map.entry("/api/v1/audit?offset=x", "offset"),
            Map.entry("/api/v1/datasets?limit=", "limit"),
            Map.entry("/api/v1/keys?limit=2000", "limit"),
            Map.entry("/api/v1/usage?offset=-3", "offset"));
    for (var e : refusals.entrySet()) {
      HttpResponse<String> r = get(e.getKey(), admin);
      assertThat(r.statusCode()).as(e.getKey() + " " + r.body()).isEqualTo(400);
      assertThat(r.body()).as(e.getKey()).contains("'" + e.getValue() + "'");
    }
  }

  private HttpResponse<String> get(String path, String key) throws Exception {
    HttpResponse<String> r = call("GET", path, key, (String) null);
    assertThat(r.statusCode()).as(path + " " + r.body()).isIn(200, 400);
    return r;
  }

  private static List<Long> ids(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    List<Long> ids = new ArrayList<>();
    JSON.readTree(r.body()).forEach(j -> ids.add(j.get("id").asLong()));
    return ids;
  }

  private static List<String> names(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    List<String> names = new ArrayList<>();
    JSON.readTree(r.body()).forEach(j -> names.add(j.get("name").asText()));
    return names;
  }

  /** The key id in a token ({@code kiln_<id>_<secret>}): what a job records as its creator. */
  private static String id(String token) {
    return token.substring("kiln_".length(), "kiln_".length() + 12);
  }

  private static Job finished(Job j, JobState state) {
    Instant now = Instant.now();
    return new Job(
        j.id(),
        state,
        j.request(),
        j.created(),
        now,
        now,
        null,
        null,
        false,
        null,
        List.of(),
        List.of(),
        null,
        null,
        state == JobState.FAILED ? "failed in the test" : null,
        List.of(),
        j.createdBy(),
        j.sweep());
  }
}
