package dev.kiln.core.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.core.engine.Gate;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What a request gets: validation, requested outputs, queue limits, statistics and batching. */
class InferenceCoreRequestTest extends CoreFixture {
  @Test
  void requestRefusedByAFullQueueIsResourceExhaustedAndCountsAsAFailure() throws Exception {
    config("m", "{\"warmup\": false, \"dynamic-batching\": {\"max-queue-size\": 1}}");
    model("m", 1, "scale=1");
    start();
    Gate gate = gate();
    engine.blockAt(gate);
    InferenceRequest r = request(1, 0);
    CompletableFuture<InferenceResponse> running = send("m", null, r);
    assertThat(gate.awaitEntered(1)).isTrue();
    CompletableFuture<InferenceResponse> queued = send("m", null, r);

    KilnException refused = failure(send("m", null, r));

    assertThat(refused.kind()).isEqualTo(ErrorKind.RESOURCE_EXHAUSTED);
    gate.open();
    assertServedBy(running.get(5, TimeUnit.SECONDS), r, 1, 1);
    assertServedBy(queued.get(5, TimeUnit.SECONDS), r, 1, 1);
    Statistics s = core.statistics(target("m", "1")).get(0);
    assertThat(s.success().count()).isEqualTo(2);
    assertThat(s.fail().count()).isEqualTo(1);
    assertThat(registry.get("kiln.inference.requests").tag("outcome", "failure").counter().count()).isEqualTo(1.0);
  }

  static Stream<Arguments> invalidRequests() {
    Tensor x = floats(1, 4, 0);
    Tensor b = floats(1, 1, 0);
    return Stream.of(
        Arguments.of(Named.of("missing input", new InferenceRequest("", Map.of("x", x), List.of())), "'b'"),
        Arguments.of(
            Named.of("unknown input", new InferenceRequest("", Map.of("x", x, "b", b, "z", b), List.of())), "'z'"),
        Arguments.of(
            Named.of(
                "wrong datatype",
                new InferenceRequest("", Map.of("x", Tensor.ofInts(new long[] {1, 4}, 1, 2, 3, 4), "b", b), List.of())),
            "'x': datatype INT32"),
        Arguments.of(
            Named.of("wrong shape", new InferenceRequest("", Map.of("x", floats(1, 3, 0), "b", b), List.of())),
            "'x': shape [1, 3]"),
        Arguments.of(
            Named.of("unknown output", new InferenceRequest("", Map.of("x", x, "b", b), List.of("nope"))), "'nope'"),
        Arguments.of(
            Named.of("duplicate output", new InferenceRequest("", Map.of("x", x, "b", b), List.of("y", "y"))),
            "'y' requested twice"),
        Arguments.of(Named.of("no inputs", new InferenceRequest("", Map.of(), List.of())), "no inputs"));
  }

  @ParameterizedTest
  @MethodSource("invalidRequests")
  void invalidRequestIsRefusedAsInvalidArgumentNamingTheCulprit(InferenceRequest bad, String fragment)
      throws Exception {
    model("m", 1, "scale=1");
    start();
    int runsBefore = engine.runs.get();

    KilnException e = failure(send("m", null, bad));

    assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT);
    assertThat(e).hasMessageContaining(fragment);
    assertThat(engine.runs).as("never reaches the engine").hasValue(runsBefore);
  }

  @Test
  void requestedOutputsAreTheOnlyOnesReturned() throws Exception {
    model("m", 1, "scale=1");
    start();
    InferenceRequest r = new InferenceRequest("abc", request(2, 0).inputs(), List.of("s"));

    InferenceResponse out = infer("m", null, r);

    assertThat(out.id()).isEqualTo("abc");
    assertThat(out.outputs()).containsOnlyKeys("s");
    float[] y = expectedY(r, 1);
    assertThat(out.outputs().get("s").floats())
        .containsExactly(new float[] {y[0] + y[1] + y[2] + y[3], y[4] + y[5] + y[6] + y[7]}, within(1e-3f));
  }

  @Test
  void statisticsCountSuccessesFailuresRowsAndExecutions() throws Exception {
    config("m", "{\"warmup\": false}");
    model("m", 1, "scale=1");
    start();
    for (int rows = 1; rows <= 3; rows++) {
      infer("m", null, request(rows, 0));
    }
    failure(send("m", null, new InferenceRequest("", Map.of("x", floats(1, 4, 0)), List.of())));
    failure(send("m", null, new InferenceRequest("", request(1, 0).inputs(), List.of("nope"))));
    Tensor nan = Tensor.ofFloats(new long[] {1, 4}, 1, Float.NaN, 3, 4);
    assertThat(failure(send("m", null, InferenceRequest.of(Map.of("x", nan, "b", floats(1, 1, 0))))).kind())
        .isEqualTo(ErrorKind.INTERNAL);

    Statistics s = core.statistics(target("m", null)).get(0);

    assertThat(core.statistics()).hasSize(1);
    assertThat(s.name()).isEqualTo("m");
    assertThat(s.version()).isEqualTo("1");
    assertThat(s.success().count()).isEqualTo(3);
    assertThat(s.fail().count()).isEqualTo(3);
    assertThat(s.inferenceCount()).as("rows of successful executions").isEqualTo(6);
    assertThat(s.executionCount()).as("the failed execution counts too").isEqualTo(4);
    assertThat(s.computeInfer().count()).isEqualTo(3);
    assertThat(s.lastInferenceMillis()).isPositive();
    assertThat(registry.get("kiln.inference.requests").tag("outcome", "success").counter().count()).isEqualTo(3.0);
    assertThat(registry.get("kiln.inference.requests").tag("outcome", "failure").counter().count()).isEqualTo(3.0);
  }

  @Test
  void batchedModelStacksConcurrentCallersAndGivesEachItsOwnRows() throws Exception {
    config("m", "{\"warmup\": false, \"max-batch-size\": 8, \"dynamic-batching\": {\"max-queue-delay-us\": 20000}}");
    model("m", 1, "scale=3");
    start();
    Gate gate = gate();
    engine.blockAt(gate);

    // The first request's execution holds the only instance at the gate, so all the others are queued together
    // when it opens: the batcher must stack them, whatever the machine's speed.
    List<InferenceRequest> sent = new ArrayList<>();
    List<CompletableFuture<InferenceResponse>> results = new ArrayList<>();
    long rows = 0;
    for (int i = 0; i < 24; i++) {
      sent.add(request(1 + i % 3, 100 * i));
      rows += 1 + i % 3;
      results.add(send("m", null, sent.get(i)));
      if (i == 0) {
        assertThat(gate.awaitEntered(1)).isTrue();
      }
    }
    gate.open();

    for (int i = 0; i < sent.size(); i++) {
      assertServedBy(results.get(i).get(5, TimeUnit.SECONDS), sent.get(i), 1, 3);
    }
    Statistics s = core.statistics(target("m", "1")).get(0);
    assertThat(s.success().count()).isEqualTo(24);
    assertThat(s.inferenceCount()).as("rows").isEqualTo(rows);
    assertThat(s.executionCount())
        .as("executions for 24 requests of %d rows, at most 8 rows each", rows)
        .isLessThan(24)
        .isGreaterThanOrEqualTo((rows + 7) / 8);
    assertThat(engine.runs).as("engine executions").hasValue((int) s.executionCount());
    KilnException disagree =
        failure(send("m", null, InferenceRequest.of(Map.of("x", floats(2, 4, 0), "b", floats(3, 1, 0)))));
    assertThat(disagree.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT);
    assertThat(disagree).hasMessageContaining("batch size");
  }

  @Test
  void warmupIsNotCountedAsARequest() throws Exception {
    model("m", 1, "scale=2");
    start();
    Statistics before = core.statistics(target("m", null)).get(0);
    assertThat(before.success().count()).isZero();
    assertThat(before.inferenceCount()).isZero();
    infer("m", null, request(1, 0));
    assertThat(core.statistics(target("m", null)).get(0).success().count()).isEqualTo(1);
  }
}
