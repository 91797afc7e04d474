package dev.kiln.core.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.engine.Gate;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.model.ModelState;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Loading, unloading, polling the repository and reloading while requests are served. */
class InferenceCoreReloadTest extends CoreFixture {
  @Test
  void unloadWaitsForTheRequestInFlightThenRefusesNewOnes() throws Exception {
    model("m", 1, "scale=2");
    start();
    Gate gate = gate();
    engine.blockAt(gate);
    InferenceRequest r = request(2, 0);
    CompletableFuture<InferenceResponse> inFlight = send("m", null, r);
    assertThat(gate.awaitEntered(1)).isTrue();

    CompletableFuture<Void> unloading = CompletableFuture.runAsync(() -> core.unload("m"));
    awaitTrue(() -> !ready("m", null));

    assertThat(failure(send("m", null, r)).kind())
        .as("a request arriving during the drain")
        .isIn(ErrorKind.NOT_FOUND, ErrorKind.UNAVAILABLE);
    assertThatThrownBy(() -> unloading.get(300, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
    assertThat(inFlight).isNotDone();
    assertThat(engine.instances).allSatisfy(i -> assertThat(i.closes).hasValue(0));

    gate.open();
    assertServedBy(inFlight.get(5, TimeUnit.SECONDS), r, 1, 2);
    unloading.get(5, TimeUnit.SECONDS);
    assertThat(engine.instances).allSatisfy(i -> assertThat(i.closes).hasValue(1));
    assertThat(failure(send("m", null, r)).kind()).isIn(ErrorKind.NOT_FOUND, ErrorKind.UNAVAILABLE);
    assertThat(core.index(false)).containsExactly(new RepositoryEntry("m", "", ModelState.UNAVAILABLE, "unloaded"));
  }

  @Test
  void loadAfterUnloadServesAgain() throws Exception {
    model("m", 1, "scale=4");
    start();
    core.unload("m");
    assertThat(ready("m", null)).isFalse();

    core.load("m");

    InferenceRequest r = request(1, 2);
    assertServedBy(infer("m", null, r), r, 1, 4);
    assertThat(core.index(false)).containsExactly(new RepositoryEntry("m", "1", ModelState.READY, ""));
    assertThat(engine.loadedVersions("m")).hasSize(2);
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
    assertThat(failure(send("m", "1", r)).kind()).isEqualTo(ErrorKind.NOT_FOUND);
    assertThat(engine.instances)
        .filteredOn(i -> i.version == 1)
        .singleElement()
        .satisfies(i -> assertThat(i.closes).hasValue(1));
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

    assertThat(core.index(false))
        .containsExactly(
            new RepositoryEntry("fresh", "1", ModelState.READY, ""),
            new RepositoryEntry("parked", "", ModelState.UNAVAILABLE, "unloaded"));
    InferenceRequest r = request(1, 0);
    assertServedBy(infer("fresh", null, r), r, 1, 6);
    assertThat(failure(send("gone", null, r)).kind()).isEqualTo(ErrorKind.NOT_FOUND);
  }

  @Test
  void brokenNewVersionLeavesTheServingVersionInPlaceUntilAGoodOneArrives() throws Exception {
    model("m", 1, "scale=1");
    start();
    InferenceRequest r = request(1, 0);

    model("m", 2, "fail");
    core.poll();

    assertServedBy(infer("m", null, r), r, 1, 1);
    assertThat(core.index(false))
        .containsExactly(
            new RepositoryEntry("m", "1", ModelState.READY, ""),
            new RepositoryEntry("m", "2", ModelState.UNAVAILABLE, "bad file"));
    KilnException load = thrown(() -> core.load("m"));
    assertThat(load.kind())
        .as("an explicit load still reports the broken version")
        .isEqualTo(ErrorKind.INVALID_ARGUMENT);
    assertThat(load).hasMessageContaining("bad file");
    assertServedBy(infer("m", null, r), r, 1, 1);

    Files.writeString(root.resolve("m/2").resolve(FakeEngine.FILE), "scale=2");
    core.poll();

    assertServedBy(infer("m", null, r), r, 2, 2);
    assertThat(core.index(false)).containsExactly(new RepositoryEntry("m", "2", ModelState.READY, ""));
    assertThat(engine.instances)
        .filteredOn(i -> i.version == 1)
        .singleElement()
        .satisfies(i -> assertThat(i.closes).hasValue(1));
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
      clients.add(
          pool.submit(() -> {
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
    assertThat(new ArrayList<>(engine.instances).subList(0, 10))
        .as("replaced instances are closed")
        .allSatisfy(i -> assertThat(i.closes).hasValue(1));
    core.close();
    assertThat(engine.instances).allSatisfy(i -> assertThat(i.closes).hasValue(1));
  }

  /**
   * The window this closes was a few instructions wide: a request found the version being replaced, the reload swapped
   * its successor in and began draining it, and the request then saw it "not ready". Many quick reloads under readers
   * that only look (no inference) make that window show up in most runs of the old code.
   */
  @Test
  void aVersionBeingReplacedIsNeverSeenAsNotReady() throws Exception {
    model("m", 1, "scale=2");
    start();
    AtomicBoolean reloading = new AtomicBoolean(true);
    ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    List<Future<?>> readers = new ArrayList<>();
    for (String version : new String[] {"1", null}) {
      readers.add(
          pool.submit(() -> {
            while (reloading.get()) {
              if (!ready("m", version)) {
                seen.add("not ready: version " + version);
              }
              if (version == null && !core.readyModels().contains("m")) {
                seen.add("not in the index of ready models");
              }
            }
          }));
    }
    readers.add(
        pool.submit(() -> {
          while (reloading.get()) {
            try {
              core.metadata(target("m", "1"));
              send("m", "1", request(1, 0)).join();
            } catch (KilnException | CompletionException e) {
              seen.add(e.getMessage());
            }
          }
        }));
    try {
      for (int i = 0; i < 500; i++) {
        core.load("m");
      }
    } finally {
      reloading.set(false);
      pool.shutdown();
    }
    for (Future<?> r : readers) {
      r.get(30, TimeUnit.SECONDS);
    }
    assertThat(seen).isEmpty();
  }

  @Test
  void aBrokenConfigPickedUpByPollingKeepsTheServingVersionsAndIsReported() throws Exception {
    model("m", 1, "scale=2");
    start();
    config("m", "{\"max-batch-sise\": 4}");
    core.poll();
    assertServedBy(infer("m", null, request(1, 0)), request(1, 0), 1, 2f);
    assertThat(core.index(false))
        .anySatisfy(e -> {
          assertThat(e.state()).isEqualTo(ModelState.UNAVAILABLE);
          assertThat(e.reason()).contains("max-batch-sise");
        });
    KilnException reload = thrown(() -> core.load("m"));
    assertThat(reload.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT);
    assertThat(reload.getMessage()).contains("max-batch-sise");
    assertServedBy(infer("m", null, request(1, 0)), request(1, 0), 1, 2f);
  }
}
