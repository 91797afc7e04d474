package dev.kiln.core.scheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.core.engine.Gate;
import dev.kiln.core.engine.ModelInstance;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.model.BatchingConfig;
import dev.kiln.core.scheduling.EchoInstance.Run;
import dev.kiln.core.tensor.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SchedulerTest {
  private static final long NO_DEADLINE = Long.MAX_VALUE;
  private static final Set<String> Y = Set.of("y");

  /**
   * A queue delay no test outlives: a batch that completes within the test's wait was dispatched for its size, not
   * because the delay ran out, with no wall-clock bound to race against on a loaded machine.
   */
  private static final Duration NEVER = Duration.ofHours(1);

  private final List<Scheduler> schedulers = new ArrayList<>();
  private final List<Gate> gates = new ArrayList<>();

  @AfterEach
  void closeEverything() {
    gates.forEach(Gate::open);
    schedulers.forEach(Scheduler::close);
  }

  @Test
  void withBatchingOffEveryRequestRunsAlone() throws Exception {
    Gate gate = gate();
    EchoInstance echo = new EchoInstance().blockAt(gate);
    Scheduler s = scheduler(BatchingConfig.disabled(100), echo);

    List<CompletableFuture<Map<String, Tensor>>> results = new ArrayList<>();
    List<Tensor> inputs = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      inputs.add(rows(2, 3, 100 * i));
      results.add(s.submit(Map.of("x", inputs.get(i)), Y, NO_DEADLINE));
    }
    assertThat(gate.awaitEntered(1)).isTrue();
    gate.open();

    for (int i = 0; i < 6; i++) {
      assertEcho(results.get(i).get(5, TimeUnit.SECONDS), inputs.get(i));
    }
    assertThat(echo.batchRows()).as("rows per execution").containsExactly(2L, 2L, 2L, 2L, 2L, 2L);
  }

  @Test
  void concurrentRequestsEachGetExactlyTheirOwnRowsBack() throws Exception {
    Gate gate = gate();
    EchoInstance echo = new EchoInstance().blockAt(gate);
    RecordingObserver observer = new RecordingObserver();
    Scheduler s = scheduler(new BatchingConfig(8, Duration.ofMillis(10), List.of(), 1024), observer, echo);
    int requests = 64;
    Random rnd = new Random(20240611);
    Tensor[] inputs = new Tensor[requests];
    long totalRows = 0;
    for (int id = 0; id < requests; id++) {
      int n = 1 + rnd.nextInt(4);
      inputs[id] = rows(n, 3, 1000 * id); // every element of every request is distinct
      totalRows += n;
    }

    @SuppressWarnings("unchecked")
    CompletableFuture<Map<String, Tensor>>[] results = new CompletableFuture[requests];
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Void>> submitters = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        submitters.add(() -> {
          for (int id = thread; id < requests; id += 8) {
            results[id] = s.submit(Map.of("x", inputs[id]), Y, NO_DEADLINE);
          }
          return null;
        });
      }
      for (var f : pool.invokeAll(submitters)) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    gate.open(); // everything is queued now, so the batcher has work to stack

    for (int id = 0; id < requests; id++) {
      assertEcho(results[id].get(5, TimeUnit.SECONDS), inputs[id]);
    }
    List<Long> batches = echo.batchRows();
    assertThat(batches).as("rows per execution").allSatisfy(r -> assertThat(r).isBetween(1L, 8L));
    assertThat(batches.stream().mapToLong(Long::longValue).sum()).isEqualTo(totalRows);
    assertThat(batches).as("some executions stacked several requests").anySatisfy(r -> assertThat(r).isGreaterThan(4L));
    assertThat(observer.requests.get()).isEqualTo(requests);
    assertThat(observer.executions.get()).isEqualTo(batches.size());
    assertThat(observer.rows.get()).isEqualTo(totalRows);
  }

  @Test
  void aRequestThatWouldOverflowTheBatchWaitsForTheNextOne() throws Exception {
    Gate gate = gate();
    EchoInstance echo = new EchoInstance().blockAt(gate);
    Scheduler s = scheduler(new BatchingConfig(3, Duration.ofMillis(20), List.of(), 100), echo);

    List<CompletableFuture<Map<String, Tensor>>> results = new ArrayList<>();
    List<Tensor> inputs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      inputs.add(rows(2, 3, 100 * i));
      results.add(s.submit(Map.of("x", inputs.get(i)), Y, NO_DEADLINE));
    }
    assertThat(gate.awaitEntered(1)).isTrue();
    gate.open();

    for (int i = 0; i < 5; i++) {
      assertEcho(results.get(i).get(5, TimeUnit.SECONDS), inputs.get(i));
    }
    assertThat(echo.batchRows()).as("2 + 2 rows exceed max-batch-size 3").containsExactly(2L, 2L, 2L, 2L, 2L);
  }

  @Test
  void requestsWithDifferentTrailingShapesOrOutputsAreNeverStackedTogether() throws Exception {
    Gate gate = gate();
    EchoInstance echo = new EchoInstance().blockAt(gate);
    Scheduler s = scheduler(new BatchingConfig(8, Duration.ofMillis(20), List.of(), 100), echo);
    CompletableFuture<Map<String, Tensor>> blocker = s.submit(Map.of("x", rows(1, 3, -10)), Y, NO_DEADLINE);
    assertThat(gate.awaitEntered(1)).isTrue();

    record Sent(Tensor x, Set<String> outputs, CompletableFuture<Map<String, Tensor>> result) {}
    List<Sent> sent = new ArrayList<>();
    for (int i = 0; i < 4; i++) { // interleaved: width 3 for y, width 5 for y, width 3 for s
      for (Object[] kind : new Object[][] {{3, Y}, {5, Y}, {3, Set.of("s")}}) {
        Tensor x = rows(1, (Integer) kind[0], 100 * sent.size());
        @SuppressWarnings("unchecked")
        Set<String> outputs = (Set<String>) kind[1];
        sent.add(new Sent(x, outputs, s.submit(Map.of("x", x), outputs, NO_DEADLINE)));
      }
    }
    gate.open();

    blocker.get(5, TimeUnit.SECONDS);
    for (Sent r : sent) {
      Map<String, Tensor> out = r.result().get(5, TimeUnit.SECONDS);
      assertThat(out.keySet()).isEqualTo(r.outputs());
      if (r.outputs().contains("y")) {
        assertEcho(out, r.x());
      } else {
        assertThat(out.get("s").floats()).containsExactly(new float[] {rowSum(r.x())}, within(1e-3f));
      }
    }
    assertThat(echo.runs)
        .as("each compatible group in one execution, in queue order")
        .containsExactly(new Run(1, 3, Y), new Run(4, 3, Y), new Run(4, 5, Y), new Run(4, 3, Set.of("s")));
  }

  @Test
  void loneRequestWaitsOutTheQueueDelayForCompanions() throws Exception {
    EchoInstance echo = new EchoInstance();
    Scheduler s = scheduler(new BatchingConfig(8, Duration.ofMillis(200), List.of(), 100), echo);

    long start = System.nanoTime();
    s.submit(Map.of("x", rows(2, 3, 0)), Y, NO_DEADLINE).get(5, TimeUnit.SECONDS);

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
  }

  @Test
  void reachingTheLargestPreferredBatchSizeDispatchesWithoutWaitingOutTheDelay() throws Exception {
    EchoInstance echo = new EchoInstance();
    Scheduler s = scheduler(new BatchingConfig(8, NEVER, List.of(4), 100), echo);

    List<CompletableFuture<Map<String, Tensor>>> results = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      results.add(s.submit(Map.of("x", rows(1, 3, i)), Y, NO_DEADLINE));
    }
    CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

    assertThat(echo.batchRows()).containsExactly(4L);
  }

  @Test
  void withSeveralInstancesOneWorkerFormsTheBatchSoIdleOnesDoNotSplitIt() throws Exception {
    EchoInstance a = new EchoInstance();
    EchoInstance b = new EchoInstance();
    Scheduler s = scheduler(new BatchingConfig(8, NEVER, List.of(6), 100), a, b);

    List<CompletableFuture<Map<String, Tensor>>> results = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      results.add(s.submit(Map.of("x", rows(1, 3, i)), Y, NO_DEADLINE));
      // One arrival at a time, each taken off the queue before the next: the idle worker is woken for each one.
      awaitTrue(() -> s.queued() == 0);
    }
    CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

    List<Long> batches = new ArrayList<>(a.batchRows());
    batches.addAll(b.batchRows());
    assertThat(batches).containsExactly(6L);
  }

  @Test
  void aSmallerPreferredBatchSizeAlsoDispatchesWithoutWaitingOutTheDelay() throws Exception {
    EchoInstance echo = new EchoInstance();
    Scheduler s = scheduler(new BatchingConfig(8, NEVER, List.of(2, 4), 100), echo);

    Tensor x = rows(2, 3, 0);
    assertEcho(s.submit(Map.of("x", x), Y, NO_DEADLINE).get(30, TimeUnit.SECONDS), x);

    assertThat(echo.batchRows()).containsExactly(2L);
  }

  @Test
  void fullQueueRefusesFurtherRequestsAsResourceExhausted() throws Exception {
    Gate gate = gate();
    EchoInstance echo = new EchoInstance().blockAt(gate);
    RecordingObserver observer = new RecordingObserver();
    Scheduler s = scheduler(BatchingConfig.disabled(2), observer, echo);
    CompletableFuture<Map<String, Tensor>> running = s.submit(Map.of("x", rows(1, 3, 0)), Y, NO_DEADLINE);
    assertThat(gate.awaitEntered(1)).isTrue();
    var queued1 = s.submit(Map.of("x", rows(1, 3, 10)), Y, NO_DEADLINE);
    var queued2 = s.submit(Map.of("x", rows(1, 3, 20)), Y, NO_DEADLINE);

    var refused = s.submit(Map.of("x", rows(1, 3, 30)), Y, NO_DEADLINE);

    assertThat(s.pending()).isEqualTo(2);
    assertThat(refused).isCompletedExceptionally();
    assertThat(failure(refused).kind()).isEqualTo(ErrorKind.RESOURCE_EXHAUSTED);
    assertThat(observer.rejected).hasValue(1);
    gate.open();
    for (var f : List.of(running, queued1, queued2)) {
      assertThat(f.get(5, TimeUnit.SECONDS)).containsKey("y");
    }
    assertThat(echo.runs).hasSize(3);
  }

  @Test
  void requestWithMoreRowsThanMaxBatchSizeIsInvalid() {
    EchoInstance echo = new EchoInstance();
    RecordingObserver observer = new RecordingObserver();
    Scheduler s = scheduler(new BatchingConfig(4, Duration.ZERO, List.of(), 100), observer, echo);

    KilnException e = failure(s.submit(Map.of("x", rows(5, 3, 0)), Y, NO_DEADLINE));

    assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT);
    assertThat(e).hasMessageContaining("5").hasMessageContaining("max-batch-size 4");
    assertThat(echo.runs).isEmpty();
    assertThat(observer.rejected).hasValue(1);
  }

  @Test
  void requestWhoseDeadlineHasPassedFailsWithoutRunning() {
    EchoInstance echo = new EchoInstance();
    Scheduler s = scheduler(BatchingConfig.disabled(10), echo);

    KilnException e = failure(s.submit(Map.of("x", rows(1, 3, 0)), Y, System.nanoTime() - 1));

    assertThat(e.kind()).isEqualTo(ErrorKind.DEADLINE_EXCEEDED);
    assertThat(echo.runs).isEmpty();
  }

  @Test
  void instanceThatThrowsFailsItsWholeBatchAsInternalAndLaterRequestsAreServed() throws Exception {
    Gate gate = gate();
    EchoInstance echo = new EchoInstance().blockAt(gate);
    Scheduler s = scheduler(new BatchingConfig(8, Duration.ZERO, List.of(), 100), echo);
    var blocker = s.submit(Map.of("x", rows(1, 3, 0)), Y, NO_DEADLINE);
    assertThat(gate.awaitEntered(1)).isTrue();
    var healthy1 = s.submit(Map.of("x", rows(1, 3, 10)), Y, NO_DEADLINE);
    var poisoned = s.submit(Map.of("x", Tensor.ofFloats(new long[] {1, 3}, 1, Float.NaN, 3)), Y, NO_DEADLINE);
    var healthy2 = s.submit(Map.of("x", rows(2, 3, 20)), Y, NO_DEADLINE);
    gate.open();

    blocker.get(5, TimeUnit.SECONDS);
    for (var f : List.of(healthy1, poisoned, healthy2)) {
      KilnException e = failure(f);
      assertThat(e.kind()).isEqualTo(ErrorKind.INTERNAL);
      assertThat(e.getMessage()).as("engine detail stays out of the caller's message").doesNotContain("NaN");
    }
    assertThat(echo.batchRows()).containsExactly(1L, 4L);

    Tensor later = rows(3, 3, 40);
    assertEcho(s.submit(Map.of("x", later), Y, NO_DEADLINE).get(5, TimeUnit.SECONDS), later);
  }

  @Test
  void closeFailsQueuedRequestsAsUnavailableAndLetsTheRunningOneFinish() throws Exception {
    Gate gate = gate();
    EchoInstance echo = new EchoInstance().blockAt(gate);
    Scheduler s = scheduler(BatchingConfig.disabled(10), echo);
    Tensor x = rows(1, 3, 0);
    var running = s.submit(Map.of("x", x), Y, NO_DEADLINE);
    assertThat(gate.awaitEntered(1)).isTrue();
    var queued1 = s.submit(Map.of("x", rows(1, 3, 10)), Y, NO_DEADLINE);
    var queued2 = s.submit(Map.of("x", rows(1, 3, 20)), Y, NO_DEADLINE);

    CompletableFuture<Void> closing = CompletableFuture.runAsync(s::close);

    assertThat(failure(queued1).kind()).isEqualTo(ErrorKind.UNAVAILABLE);
    assertThat(failure(queued2).kind()).isEqualTo(ErrorKind.UNAVAILABLE);
    assertThat(failure(s.submit(Map.of("x", x), Y, NO_DEADLINE)).kind()).isEqualTo(ErrorKind.UNAVAILABLE);
    assertThat(closing).as("close waits for the running execution").isNotDone();
    gate.open();
    assertEcho(running.get(5, TimeUnit.SECONDS), x);
    closing.get(5, TimeUnit.SECONDS);
    assertThat(echo.runs).hasSize(1);
  }

  @Test
  void severalInstancesRunInParallel() throws Exception {
    Gate gate = gate();
    EchoInstance first = new EchoInstance().blockAt(gate);
    EchoInstance second = new EchoInstance().blockAt(gate);
    Scheduler s = scheduler(BatchingConfig.disabled(10), first, second);

    var a = s.submit(Map.of("x", rows(1, 3, 0)), Y, NO_DEADLINE);
    var b = s.submit(Map.of("x", rows(1, 3, 10)), Y, NO_DEADLINE);

    assertThat(gate.awaitEntered(2)).as("both instances are executing at once").isTrue();
    assertThat(first.runs).hasSize(1);
    assertThat(second.runs).hasSize(1);
    gate.open();
    assertThat(a.get(5, TimeUnit.SECONDS)).containsKey("y");
    assertThat(b.get(5, TimeUnit.SECONDS)).containsKey("y");
  }

  private Scheduler scheduler(BatchingConfig config, ModelInstance... instances) {
    return scheduler(config, ExecutionObserver.NONE, instances);
  }

  private Scheduler scheduler(BatchingConfig config, ExecutionObserver observer, ModelInstance... instances) {
    Scheduler s = new Scheduler("m-1", List.of(instances), config, observer);
    schedulers.add(s);
    return s;
  }

  private Gate gate() {
    Gate g = new Gate();
    gates.add(g);
    return g;
  }

  /** {@code n} × {@code width} floats {@code base + 10 * row + column}. */
  private static Tensor rows(int n, int width, int base) {
    float[] v = new float[n * width];
    for (int r = 0; r < n; r++) {
      for (int c = 0; c < width; c++) {
        v[r * width + c] = base + 10 * r + c;
      }
    }
    return Tensor.ofFloats(new long[] {n, width}, v);
  }

  /** Waits (at most 10 s) for a condition a worker brings about. */
  private static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(until);
      Thread.sleep(1);
    }
  }

  private static void assertEcho(Map<String, Tensor> out, Tensor x) {
    float[] in = x.floats();
    float[] expected = new float[in.length];
    for (int i = 0; i < in.length; i++) {
      expected[i] = 2 * in[i] + 1;
    }
    Tensor y = out.get("y");
    assertThat(y.shape()).isEqualTo(x.shape());
    assertThat(y.floats()).containsExactly(expected, within(1e-3f));
  }

  private static float rowSum(Tensor x) {
    float sum = 0;
    for (float v : x.floats()) {
      sum += v;
    }
    return sum;
  }

  private static KilnException failure(CompletableFuture<?> f) {
    Throwable t = catchThrowable(() -> f.get(5, TimeUnit.SECONDS));
    assertThat(t).isInstanceOf(ExecutionException.class).cause().isInstanceOf(KilnException.class);
    return (KilnException) t.getCause();
  }

  private static final class RecordingObserver implements ExecutionObserver {
    final AtomicInteger executions = new AtomicInteger();
    final AtomicInteger requests = new AtomicInteger();
    final AtomicLong rows = new AtomicLong();
    final AtomicInteger rejected = new AtomicInteger();

    @Override
    public void onExecution(int requests, long rows, long computeNanos, boolean success) {
      executions.incrementAndGet();
      this.rows.addAndGet(rows);
    }

    @Override
    public void onRequest(long queueNanos, long computeNanos, boolean success) {
      requests.incrementAndGet();
    }

    @Override
    public void onRejected() {
      rejected.incrementAndGet();
    }
  }
}
