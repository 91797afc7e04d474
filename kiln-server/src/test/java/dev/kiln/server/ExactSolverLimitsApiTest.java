package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.training.spec.ExactLimits;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exact solvers' size limits come from the server's training configuration and answer 400 at submission. */
class ExactSolverLimitsApiTest {
  @TempDir Path repo;
  @TempDir Path data;

  @Test
  void anExactFitOverTheConfiguredFeatureLimitIsRefusedAtSubmission() throws Exception {
    TrainingConfig training = TrainingConfig.defaults(data).withExactLimits(new ExactLimits(2, 100));
    try (Kiln kiln = Kiln.start(KilnConfig.defaults(repo, 0, 0).withTraining(training))) {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      String base = "http://127.0.0.1:" + kiln.httpPort();
      StringBuilder csv = new StringBuilder("a,b,c,y\n");
      for (int i = 0; i < 20; i++) {
        csv.append(i).append(',').append(i % 3).append(',').append(i % 5).append(',').append(2 * i).append('\n');
      }
      HttpResponse<String> upload = post(http, base + "/api/v1/datasets/three?label=y&task=regression", csv.toString());
      assertThat(upload.statusCode()).as(upload.body()).isEqualTo(201);
      HttpResponse<String> refused =
          post(http, base + "/api/v1/jobs", "{\"dataset\":\"three\",\"model\":\"type: linear_regression\"}");
      assertThat(refused.statusCode()).isEqualTo(400);
      assertThat(refused.body())
          .contains("3 features exceed the exact solver's limit of 2")
          .contains("use solver: gradient_descent");
      String descent = "{\"dataset\":\"three\",\"model\":\"type: linear_regression\\nsolver: gradient_descent\"}";
      assertThat(post(http, base + "/api/v1/jobs", descent).statusCode()).isEqualTo(202);
    }
  }

  private static HttpResponse<String> post(HttpClient http, String url, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
