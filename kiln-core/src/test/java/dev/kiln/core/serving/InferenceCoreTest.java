package dev.kiln.core.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.core.engine.EngineOptions;
import dev.kiln.core.engine.Gate;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.metrics.InferenceMetrics;
import dev.kiln.core.model.ModelState;
import dev.kiln.core.repository.ModelRepository;
import dev.kiln.core.tensor.Tensor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class InferenceCoreTest {
  @TempDir Path tmp;
  private Path root;
  private final FakeEngine engine = new FakeEngine();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<Gate> gates = new ArrayList<>();
  private InferenceCore core;

  @BeforeEach
  void createRepository() throws IOException {
    root = Files.createDirectory(tmp.resolve("repo"));
  }

  @AfterEach
  void closeCore() {
    gates.forEach(Gate::open);
    if (core != null) {
      core.close();
    }
  }

  @Test
  void startLoadsEveryModelAndReportsABrokenOneWithItsReasonWhileTheOthersServe() throws Exception {
    model("alpha", 1, "scale=2");
    model("beta", 1, "scale=3");
    model("broken", 1, "fail");

    start();

    assertThat(core.ready()).isTrue();
    assertThat(core.index(false)).containsExactly(
        new RepositoryEntry("alpha", "1", ModelState.READY, ""),
        new RepositoryEntry("beta", "1", ModelState.READY, ""),
        new RepositoryEntry("broken", "1", ModelState.UNAVAILABLE, "bad file"));
    assertThat(core.index(true)).extracting(RepositoryEntry::name).containsExactly("alpha", "beta");
    InferenceRequest r = request(2, 0);
    assertServedBy(infer("alpha", null, r), r, 1, 2);
    assertServedBy(infer("beta", null, r), r, 1, 3);
    assertThat(failure(core.infer("broken", null, r)).kind()).isIn(ErrorKind.NOT_FOUND, ErrorKind.UNAVAILABLE);
    assertThat(core.modelReady("broken", null)).isFalse();
  }

  static Stream<Arguments> versionPolicies() {
    return Stream.of(
        Arguments.of(Named.of("default latest(1)", null), List.of(3L)),
        Arguments.of(Named.of("latest 2", "{\"version-policy\": {\"latest\": 2}}"), List.of(2L, 3L)),
        Arguments.of(Named.of("all", "{\"version-policy\": \"all\"}"), List.of(1L, 2L, 3L)),
        Arguments.of(Named.of("specific [1]", "{\"version-policy\": {\"specific\": [1]}}"), List.of(1L)));
  }

  @ParameterizedTest
  @MethodSource("versionPolicies")
  void versionPolicyDecidesWhichVersionsAreLoaded(String config, List<Long> served) throws Exception {
    for (long v = 1; v <= 3; v++) {
      model("m", v, "scale=" + v);
    }
    if (config != null) {
      config("m", config);
    }

    start();

    assertThat(core.index(true)).extracting(e -> Long.parseLong(e.version())).containsExactlyElementsOf(served);
    assertThat(engine.loadedVersions("m")).as("versions outside the policy are never loaded")
        .containsExactlyInAnyOrderElementsOf(served);
    assertThat(core.metadata("m", null).versions()).containsExactlyElementsOf(
        served.stream().map(String::valueOf).toList());
    InferenceRequest r = request(1, 5);
    long highest = served.get(served.size() - 1);
    assertServedBy(infer("m", null, r), r, highest, highest);
  }

  @Test
  void unversionedInferGoesToTheHighestReadyVersionAndVersionedInferToThatVersion() throws Exception {
    config("m", "{\"version-policy\": \"all\"}");
    model("m", 1, "scale=10");
    model("m", 2, "scale=20");
    model("m", 3, "fail");
    start();
    InferenceRequest r = request(3, 1);

    assertServedBy(infer("m", null, r), r, 2, 20);
    assertServedBy(infer("m", "", r), r, 2, 20);
    assertServedBy(infer("m", "1", r), r, 1, 10);
    assertServedBy(infer("m", "2", r), r, 2, 20);
    assertThat(failure(core.infer("m", "3", r)).kind()).as("failed version").isEqualTo(ErrorKind.NOT_FOUND);
    assertThat(core.metadata("m", "1").versions()).containsExactly("1");
    assertThat(core.metadata("m", null).signature()).isEqualTo(FakeEngine.SIGNATURE);
    assertThat(core.metadata("m", null).platform()).isEqualTo(FakeEngine.PLATFORM);
  }

  @Test
  void unknownModelOrVersionIsNotFound() throws Exception {
    model("m", 1, "scale=1");
    start();
    InferenceRequest r = request(1, 0);

    assertThat(failure(core.infer("nope", null, r)).kind()).isEqualTo(ErrorKind.NOT_FOUND);
    assertThat(failure(core.infer("m", "2", r)).kind()).isEqualTo(ErrorKind.NOT_FOUND);
    assertThat(failure(core.infer("m", "one", r)).kind()).isEqualTo(ErrorKind.NOT_FOUND);
    assertThat(thrown(() -> core.metadata("nope", null)).kind()).isEqualTo(ErrorKind.NOT_FOUND);
    assertThat(thrown(() -> core.metadata("m", "2")).kind()).isEqualTo(ErrorKind.NOT_FOUND);
    assertThat(thrown(() -> core.statistics("m", "2")).kind()).isEqualTo(ErrorKind.NOT_FOUND);
    assertThat(core.modelReady("nope", null)).isFalse();
    assertThat(core.modelReady("m", "1")).isTrue();
  }

  @Test
  void unloadWaitsForTheRequestInFlightThenRefusesNewOnes() throws Exception {
    model("m", 1, "scale=2");
    start();
    Gate gate = gate();
    engine.blockAt(gate);
    InferenceRequest r = request(2, 0);
    CompletableFuture<InferenceResponse> inFlight = core.infer("m", null, r);
    assertThat(gate.awaitEntered(1)).isTrue();

    CompletableFuture<Void> unloading = CompletableFuture.runAsync(() -> core.unload("m"));
    awaitTrue(() -> !core.modelReady("m", null));

    assertThat(failure(core.infer("m", null, r)).kind()).as("a request arriving during the drain")
        .isIn(ErrorKind.NOT_FOUND, ErrorKind.UNAVAILABLE);
    assertThatThrownBy(() -> unloading.get(300, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
    assertThat(inFlight).isNotDone();
    assertThat(engine.instances).allSatisfy(i -> assertThat(i.closes).hasValue(0));

    gate.open();
    assertServedBy(inFlight.get(5, TimeUnit.SECONDS), r, 1, 2);
    unloading.get(5, TimeUnit.SECONDS);
    assertThat(engine.instances).allSatisfy(i -> assertThat(i.closes).hasValue(1));
    assertThat(failure(core.infer("m", null, r)).kind()).isIn(ErrorKind.NOT_FOUND, ErrorKind.UNAVAILABLE);
    assertThat(core.index(false)).containsExactly(new RepositoryEntry("m", "", ModelState.UNAVAILABLE, "unloaded"));
  }

  @Test
  void loadAfterUnloadServesAgain() throws Exception {
    model("m", 1, "scale=4");
    start();
    core.unload("m");
    assertThat(core.modelReady("m", null)).isFalse();

    core.load("m");

    InferenceRequest r = request(1, 2);
    assertServedBy(infer("m", null, r), r, 1, 4);
    assertThat(core.index(false)).containsExactly(new RepositoryEntry("m", "1", ModelState.READY, ""));
    assertThat(engine.loadedVersions("m")).hasSize(2);
  }

  @Test
  void loadOrUnloadOfANameNotInTheRepositoryIsNotFound() throws Exception {
    model("m", 1, "scale=1");
    start();

    assertThat(thrown(() -> core.load("ghost")).kind()).isEqualTo(ErrorKind.NOT_FOUND);
    assertThat(thrown(() -> core.unload("ghost")).kind()).isEqualTo(ErrorKind.NOT_FOUND);
    assertThat(core.index(false)).extracting(RepositoryEntry::name).containsExactly("m");
  }

  static Stream<String> invalidNames() {
    return Stream.of("../x", "a/b", "..", "%2e%2e", "", "a".repeat(200), "..%2fx", "a\\b", ".hidden", "x\u0000");
  }

  @ParameterizedTest
  @MethodSource("invalidNames")
  void invalidNamesAreRefusedAndNothingOutsideTheRootIsTouched(String name) throws Exception {
    model("m", 1, "scale=1");
    Path outside = tmp.resolve("x").resolve("1");
    Files.createDirectories(outside);
    Files.writeString(outside.resolve(FakeEngine.FILE), "scale=9");
    start();
    Map<String, String> before = snapshot(tmp);

    assertThat(thrown(() -> core.load(name)).kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT);
    assertThat(thrown(() -> core.unload(name)).kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT);
    assertThat(failure(core.infer(name, null, request(1, 0))).kind())
        .isIn(ErrorKind.INVALID_ARGUMENT, ErrorKind.NOT_FOUND);
    assertThat(core.modelReady(name, null)).isFalse();
    core.poll();

    assertThat(snapshot(tmp)).isEqualTo(before);
    assertThat(engine.loadedFiles).allSatisfy(f -> assertThat(f).startsWith(root.toRealPath()));
    assertThat(core.index(false)).extracting(RepositoryEntry::name).containsExactly("m");
  }

  @Test
  void pollPicksUpANewVersionFolderAndDropsADeletedOne() throws Exception {
    config("m", "{\"version-policy\": \"all\"}");
    model("m", 1, "scale=1");
    start();

    model("m", 2, "scale=2");
    core.poll();
    assertThat(core.index(true)).extracting(RepositoryEntry::version).containsExactly("1", "2");
    InferenceRequest r = request(1, 3);
    assertServedBy(infer("m", "2", r), r, 2, 2);

    deleteTree(root.resolve("m").resolve("1"));
    core.poll();
    assertThat(core.index(true)).extracting(RepositoryEntry::version).containsExactly("2");
    assertThat(failure(core.infer("m", "1", r)).kind()).isEqualTo(ErrorKind.NOT_FOUND);
    assertThat(engine.instances).filteredOn(i -> i.version == 1)
        .singleElement().satisfies(i -> assertThat(i.closes).hasValue(1));
    assertThat(engine.loadedVersions("m")).as("polling keeps ready versions as they are").containsExactly(1L, 2L);
  }

  @Test
  void pollWithTheDefaultPolicyMovesToTheNewestVersion() throws Exception {
    model("m", 1, "scale=1");
    start();

    model("m", 2, "scale=2");
    core.poll();

    InferenceRequest r = request(1, 0);
    assertServedBy(infer("m", null, r), r, 2, 2);
    assertThat(core.index(false)).containsExactly(new RepositoryEntry("m", "2", ModelState.READY, ""));
  }

  @Test
  void pollLoadsNewModelsForgetsRemovedOnesAndLeavesUnloadedOnesUnloaded() throws Exception {
    model("gone", 1, "scale=1");
    model("parked", 1, "scale=1");
    start();
    core.unload("parked");

    model("fresh", 1, "scale=6");
    deleteTree(root.resolve("gone"));
    core.poll();

    assertThat(core.index(false)).containsExactly(
        new RepositoryEntry("fresh", "1", ModelState.READY, ""),
        new RepositoryEntry("parked", "", ModelState.UNAVAILABLE, "unloaded"));
    InferenceRequest r = request(1, 0);
    assertServedBy(infer("fresh", null, r), r, 1, 6);
    assertThat(failure(core.infer("gone", null, r)).kind()).isEqualTo(ErrorKind.NOT_FOUND);
  }

  @Test
  void brokenNewVersionLeavesTheServingVersionInPlaceUntilAGoodOneArrives() throws Exception {
    model("m", 1, "scale=1");
    start();
    InferenceRequest r = request(1, 0);

    model("m", 2, "fail");
    core.poll();

    assertServedBy(infer("m", null, r), r, 1, 1);
    assertThat(core.index(false)).containsExactly(
        new RepositoryEntry("m", "1", ModelState.READY, ""),
        new RepositoryEntry("m", "2", ModelState.UNAVAILABLE, "bad file"));
    KilnException load = thrown(() -> core.load("m"));
    assertThat(load.kind()).as("an explicit load still reports the broken version")
        .isEqualTo(ErrorKind.INVALID_ARGUMENT);
    assertThat(load).hasMessageContaining("bad file");
    assertServedBy(infer("m", null, r), r, 1, 1);

    Files.writeString(root.resolve("m/2").resolve(FakeEngine.FILE), "scale=2");
    core.poll();

    assertServedBy(infer("m", null, r), r, 2, 2);
    assertThat(core.index(false)).containsExactly(new RepositoryEntry("m", "2", ModelState.READY, ""));
    assertThat(engine.instances).filteredOn(i -> i.version == 1)
        .singleElement().satisfies(i -> assertThat(i.closes).hasValue(1));
  }

  @Test
  void requestRefusedByAFullQueueIsResourceExhaustedAndCountsAsAFailure() throws Exception {
    config("m", "{\"warmup\": false, \"dynamic-batching\": {\"max-queue-size\": 1}}");
    model("m", 1, "scale=1");
    start();
    Gate gate = gate();
    engine.blockAt(gate);
    InferenceRequest r = request(1, 0);
    CompletableFuture<InferenceResponse> running = core.infer("m", null, r);
    assertThat(gate.awaitEntered(1)).isTrue();
    CompletableFuture<InferenceResponse> queued = core.infer("m", null, r);

    KilnException refused = failure(core.infer("m", null, r));

    assertThat(refused.kind()).isEqualTo(ErrorKind.RESOURCE_EXHAUSTED);
    gate.open();
    assertServedBy(running.get(5, TimeUnit.SECONDS), r, 1, 1);
    assertServedBy(queued.get(5, TimeUnit.SECONDS), r, 1, 1);
    Statistics s = core.statistics("m", "1").get(0);
    assertThat(s.success().count()).isEqualTo(2);
    assertThat(s.fail().count()).isEqualTo(1);
    assertThat(registry.get("kiln.inference.requests").tag("outcome", "failure").counter().count()).isEqualTo(1.0);
  }

  static Stream<Arguments> invalidRequests() {
    Tensor x = floats(1, 4, 0);
    Tensor b = floats(1, 1, 0);
    return Stream.of(
        Arguments.of(Named.of("missing input", new InferenceRequest("", Map.of("x", x), List.of())), "'b'"),
        Arguments.of(Named.of("unknown input", new InferenceRequest("", Map.of("x", x, "b", b, "z", b), List.of())),
            "'z'"),
        Arguments.of(Named.of("wrong datatype",
            new InferenceRequest("", Map.of("x", Tensor.ofInts(new long[] {1, 4}, 1, 2, 3, 4), "b", b), List.of())),
            "'x': datatype INT32"),
        Arguments.of(Named.of("wrong shape",
            new InferenceRequest("", Map.of("x", floats(1, 3, 0), "b", b), List.of())), "'x': shape [1, 3]"),
        Arguments.of(Named.of("unknown output", new InferenceRequest("", Map.of("x", x, "b", b), List.of("nope"))),
            "'nope'"),
        Arguments.of(Named.of("duplicate output",
            new InferenceRequest("", Map.of("x", x, "b", b), List.of("y", "y"))), "'y' requested twice"),
        Arguments.of(Named.of("no inputs", new InferenceRequest("", Map.of(), List.of())), "no inputs"));
  }

  @ParameterizedTest
  @MethodSource("invalidRequests")
  void invalidRequestIsRefusedAsInvalidArgumentNamingTheCulprit(InferenceRequest bad, String fragment)
      throws Exception {
    model("m", 1, "scale=1");
    start();
    int runsBefore = engine.runs.get();

    KilnException e = failure(core.infer("m", null, bad));

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
    failure(core.infer("m", null, new InferenceRequest("", Map.of("x", floats(1, 4, 0)), List.of())));
    failure(core.infer("m", null, new InferenceRequest("", request(1, 0).inputs(), List.of("nope"))));
    Tensor nan = Tensor.ofFloats(new long[] {1, 4}, 1, Float.NaN, 3, 4);
    assertThat(failure(core.infer("m", null, InferenceRequest.of(Map.of("x", nan, "b", floats(1, 1, 0))))).kind())
        .isEqualTo(ErrorKind.INTERNAL);

    Statistics s = core.statistics("m", null).get(0);

    assertThat(core.statistics(null, null)).hasSize(1);
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
  void warmupFailureMarksTheVersionUnavailableAndClosesEachInstanceOnce() throws Exception {
    config("m", "{\"instance-count\": 2}");
    model("m", 1, "fail-run");
    model("ok", 1, "scale=1");

    start();

    assertThat(core.index(false)).filteredOn(e -> e.name().equals("m")).singleElement().satisfies(e -> {
      assertThat(e.version()).isEqualTo("1");
      assertThat(e.state()).isEqualTo(ModelState.UNAVAILABLE);
      assertThat(e.reason()).startsWith("warmup failed");
    });
    assertThat(engine.instances).filteredOn(i -> i.model.equals("m")).hasSize(2)
        .allSatisfy(i -> assertThat(i.closes).as("closed exactly once").hasValue(1));
    assertThat(failure(core.infer("m", null, request(1, 0))).kind())
        .isIn(ErrorKind.NOT_FOUND, ErrorKind.UNAVAILABLE);
    KilnException load = thrown(() -> core.load("m"));
    assertThat(load.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT);
    assertThat(load).hasMessageContaining("warmup failed");
  }

  @Test
  void batchedModelGivesEveryConcurrentCallerItsOwnRows() throws Exception {
    config("m", "{\"max-batch-size\": 8, \"dynamic-batching\": {\"max-queue-delay-us\": 20000}}");
    model("m", 1, "scale=3");
    start();

    List<InferenceRequest> sent = new ArrayList<>();
    List<CompletableFuture<InferenceResponse>> results = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      sent.add(request(1 + i % 3, 100 * i));
      results.add(core.infer("m", null, sent.get(i)));
    }

    for (int i = 0; i < sent.size(); i++) {
      assertServedBy(results.get(i).get(5, TimeUnit.SECONDS), sent.get(i), 1, 3);
    }
    KilnException disagree = failure(core.infer("m", null,
        InferenceRequest.of(Map.of("x", floats(2, 4, 0), "b", floats(3, 1, 0)))));
    assertThat(disagree.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT);
    assertThat(disagree).hasMessageContaining("batch size");
  }

  @Test
  void inferenceNeverFailsWhileTheModelIsReloaded() throws Exception {
    model("m", 1, "scale=2");
    start();
    int threads = 8;
    AtomicBoolean reloading = new AtomicBoolean(true);
    CountDownLatch everyoneServed = new CountDownLatch(threads);
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<Integer>> clients = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      String version = t % 2 == 0 ? null : "1"; // half ask for the latest version, half for version 1
      clients.add(pool.submit(() -> {
        int done = 0;
        while (done < 200 || reloading.get()) {
          InferenceRequest r = request(1 + done % 3, done);
          try {
            assertServedBy(infer("m", version, r), r, 1, 2);
          } catch (Throwable e) {
            failures.add(e);
          }
          if (done++ == 0) {
            everyoneServed.countDown();
          }
        }
        return done;
      }));
    }
    try {
      assertThat(everyoneServed.await(10, TimeUnit.SECONDS)).isTrue();
      for (int i = 0; i < 10; i++) {
        core.load("m");
      }
    } finally {
      reloading.set(false);
      pool.shutdown();
    }
    int total = 0;
    for (Future<Integer> c : clients) {
      total += c.get(30, TimeUnit.SECONDS);
    }

    assertThat(failures).as("failed requests out of %d", total).isEmpty();
    assertThat(engine.loadedVersions("m")).as("start + 10 reloads").hasSize(11);
    assertThat(new ArrayList<>(engine.instances).subList(0, 10)).as("replaced instances are closed")
        .allSatisfy(i -> assertThat(i.closes).hasValue(1));
    core.close();
    assertThat(engine.instances).allSatisfy(i -> assertThat(i.closes).hasValue(1));
  }

  @Test
  void closeStopsReadinessAndRefusesRequests() throws Exception {
    model("m", 1, "scale=1");
    start();

    core.close();

    assertThat(core.ready()).isFalse();
    assertThat(failure(core.infer("m", null, request(1, 0))).kind()).isEqualTo(ErrorKind.UNAVAILABLE);
    assertThat(engine.instances).allSatisfy(i -> assertThat(i.closes).hasValue(1));
  }

  @Test
  void aBrokenConfigPickedUpByPollingKeepsTheServingVersionsAndIsReported() throws Exception {
    model("m", 1, "scale=2");
    start();
    config("m", "{\"max-batch-sise\": 4}");
    core.poll();
    assertServedBy(infer("m", null, request(1, 0)), request(1, 0), 1, 2f);
    assertThat(core.index(false)).anySatisfy(e -> {
      assertThat(e.state()).isEqualTo(ModelState.UNAVAILABLE);
      assertThat(e.reason()).contains("max-batch-sise");
    });
    KilnException reload = thrown(() -> core.load("m"));
    assertThat(reload.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT);
    assertThat(reload.getMessage()).contains("max-batch-sise");
    assertServedBy(infer("m", null, request(1, 0)), request(1, 0), 1, 2f);
  }

  @Test
  void warmupIsNotCountedAsARequest() throws Exception {
    model("m", 1, "scale=2");
    start();
    Statistics before = core.statistics("m", null).get(0);
    assertThat(before.success().count()).isZero();
    assertThat(before.inferenceCount()).isZero();
    infer("m", null, request(1, 0));
    assertThat(core.statistics("m", null).get(0).success().count()).isEqualTo(1);
  }

  // --- fixtures

  private void start() {
    core = new InferenceCore(new ModelRepository(root, List.of(engine)), List.of(engine), EngineOptions.defaults(),
        new InferenceMetrics(registry), new CoreSettings(Duration.ofSeconds(5), Duration.ofSeconds(5)));
    core.start();
  }

  private Gate gate() {
    Gate g = new Gate();
    gates.add(g);
    return g;
  }

  private void model(String name, long version, String content) throws IOException {
    Path dir = Files.createDirectories(root.resolve(name).resolve(Long.toString(version)));
    Files.writeString(dir.resolve(FakeEngine.FILE), content);
  }

  private void config(String name, String json) throws IOException {
    Path dir = Files.createDirectories(root.resolve(name));
    Files.writeString(dir.resolve("config.json"), json);
  }

  private InferenceResponse infer(String model, String version, InferenceRequest r) throws Exception {
    return core.infer(model, version, r).get(5, TimeUnit.SECONDS);
  }

  /** {@code rows} × 4 floats {@code base + i} for x, and 0.5, 1.0, 1.5, ... for b. */
  private static InferenceRequest request(int rows, float base) {
    Map<String, Tensor> inputs = new LinkedHashMap<>();
    inputs.put("x", floats(rows, 4, base));
    float[] b = new float[rows];
    for (int r = 0; r < rows; r++) {
      b[r] = 0.5f * (r + 1);
    }
    inputs.put("b", Tensor.ofFloats(new long[] {rows, 1}, b));
    return new InferenceRequest("", inputs, List.of());
  }

  private static Tensor floats(int rows, int width, float base) {
    float[] v = new float[rows * width];
    for (int i = 0; i < v.length; i++) {
      v[i] = base + i;
    }
    return Tensor.ofFloats(new long[] {rows, width}, v);
  }

  private static float[] expectedY(InferenceRequest r, float scale) {
    float[] x = r.inputs().get("x").floats();
    float[] b = r.inputs().get("b").floats();
    float[] y = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = x[i] * scale + b[i / 4];
    }
    return y;
  }

  private static void assertServedBy(InferenceResponse out, InferenceRequest r, long version, float scale) {
    assertThat(out.version()).isEqualTo(version);
    assertThat(out.outputs()).containsOnlyKeys("y", "s");
    assertThat(out.outputs().get("y").shape()).isEqualTo(r.inputs().get("x").shape());
    assertThat(out.outputs().get("y").floats()).containsExactly(expectedY(r, scale), within(1e-3f));
  }

  private static KilnException failure(CompletableFuture<?> f) {
    Throwable t = catchThrowable(() -> f.get(5, TimeUnit.SECONDS));
    assertThat(t).isInstanceOf(ExecutionException.class).cause().isInstanceOf(KilnException.class);
    return (KilnException) t.getCause();
  }

  private static KilnException thrown(ThrowingCallable call) {
    Throwable t = catchThrowable(call);
    assertThat(t).isInstanceOf(KilnException.class);
    return (KilnException) t;
  }

  /** Waits (at most 5 s) for a condition another thread brings about. */
  private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within 5 s").isLessThan(until);
      Thread.sleep(1);
    }
  }

  /** Every path under {@code dir} with its size and modification time. */
  private static Map<String, String> snapshot(Path dir) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        out.put(dir.relativize(p).toString(), a.size() + "@" + a.lastModifiedTime());
      }
    }
    return out;
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
