package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.training.job.FileJobStore;
import dev.kiln.training.job.Job;
import dev.kiln.training.job.JobRequest;
import dev.kiln.training.job.JobState;
import dev.kiln.training.spec.ModelSpec;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A server started on a data folder where an earlier Kiln kept its jobs as files serves them from the database: the job
 * under its old id, its exported model through the artifact store, and a new job takes the next id.
 */
class JobUpgradeServerTest extends GovernanceServerFixture {
  @Test
  void aFinishedJobAnEarlierKilnKeptAsFilesIsServedWithItsModelAfterTheUpgrade() throws Exception {
    FileJobStore old = new FileJobStore(data.resolve("jobs"));
    JobRequest request = new JobRequest("digits", 1, new ModelSpec(null, null, null, null, null), null, null);
    for (int i = 0; i < 3; i++) {
      old.create(request, null);
    }
    Job queued = old.get(3).orElseThrow();
    Job done =
        new Job(
            3,
            JobState.SUCCEEDED,
            request,
            queued.created(),
            queued.created(),
            queued.created(),
            null,
            null,
            false,
            null,
            List.of(),
            List.of(),
            null,
            null,
            null,
            List.of(),
            null,
            null);
    old.update(3, j -> done);
    Files.writeString(old.directory(3).resolve("model.onnx"), "the exported model");
    // Jobs 1 and 2 are queued: the server runs them (they fail: no dataset digits); job 3 is the one looked at.
    start(true);

    JsonNode job = json(call("GET", "/api/v1/jobs/3", admin, (String) null), 200);
    assertThat(job.get("state").asText()).isEqualTo("SUCCEEDED");
    HttpResponse<String> model = call("GET", "/api/v1/jobs/3/model", admin, (String) null);
    assertThat(model.statusCode()).as(model.body()).isEqualTo(200);
    assertThat(model.body()).isEqualTo("the exported model");
    assertThat(json(call("GET", "/api/v1/jobs", admin, (String) null), 200)).hasSize(3);
    assertThat(data.resolve("jobs").resolve("3").resolve("job.json")).exists(); // left in place, no longer read
  }

  private static JsonNode json(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return JSON.readTree(r.body());
  }
}
