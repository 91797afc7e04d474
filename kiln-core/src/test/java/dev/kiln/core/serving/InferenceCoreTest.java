package dev.kiln.core.serving;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.model.ModelState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Starting, routing to versions, refusing unknown or unsafe names, and closing. */
class InferenceCoreTest extends CoreFixture {
  @Test
  void startLoadsEveryModelAndReportsABrokenOneWithItsReasonWhileTheOthersServe() throws Exception {
    model("alpha", 1, "scale=2");
    model("beta", 1, "scale=3");
    model("broken", 1, "fail");

    start();

    assertThat(core.ready()).isTrue();
    assertThat(core.index(false))
        .containsExactly(
            new RepositoryEntry("alpha", "1", ModelState.READY, ""),
            new RepositoryEntry("beta", "1", ModelState.READY, ""),
            new RepositoryEntry("broken", "1", ModelState.UNAVAILABLE, "bad file"));
    assertThat(core.index(true)).extracting(RepositoryEntry::name).containsExactly("alpha", "beta");
    InferenceRequest r = request(2, 0);
    assertServedBy(infer("alpha", null, r), r, 1, 2);
    assertServedBy(infer("beta", null, r), r, 1, 3);
    assertThat(failure(send("broken", null, r)).kind()).isIn(ErrorKind.NOT_FOUND, ErrorKind.UNAVAILABLE);
    assertThat(ready("broken", null)).isFalse();
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
    assertThat(engine.loadedVersions("m"))
        .as("versions outside the policy are never loaded")
        .containsExactlyInAnyOrderElementsOf(served);
    assertThat(core.metadata(target("m", null)).versions())
        .containsExactlyElementsOf(served.stream().map(String::valueOf).toList());
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
    assertThat(failure(send("m", "3", r)).kind()).as("failed version").isEqualTo(ErrorKind.NOT_FOUND);
    assertThat(core.metadata(target("m", "1")).versions()).containsExactly("1");
    assertThat(core.metadata(target("m", null)).signature()).isEqualTo(FakeEngine.SIGNATURE);
    assertThat(core.metadata(target("m", null)).platform()).isEqualTo(FakeEngine.PLATFORM);
  }

  @Test
  void unknownModelOrVersionIsNotFound() throws Exception {
    model("m", 1, "scale=1");
    start();
    InferenceRequest r = request(1, 0);

    assertThat(failure(send("nope", null, r)).kind()).isEqualTo(ErrorKind.NOT_FOUND);
    assertThat(failure(send("m", "2", r)).kind()).isEqualTo(ErrorKind.NOT_FOUND);
    assertThat(failure(send("m", "one", r)).kind()).isEqualTo(ErrorKind.NOT_FOUND);
    assertThat(thrown(() -> core.metadata(target("nope", null))).kind()).isEqualTo(ErrorKind.NOT_FOUND);
    assertThat(thrown(() -> core.metadata(target("m", "2"))).kind()).isEqualTo(ErrorKind.NOT_FOUND);
    assertThat(thrown(() -> core.statistics(target("m", "2"))).kind()).isEqualTo(ErrorKind.NOT_FOUND);
    assertThat(ready("nope", null)).isFalse();
    assertThat(ready("m", "1")).isTrue();
  }

  @Test
  void aTargetIsBuiltFromAReferenceAndAVersionString() throws Exception {
    model("m", 1, "scale=1");
    start((model, alias) -> model.equals("m") && alias.equals("prod") ? Optional.of(1L) : Optional.empty());

    assertThat(core.target("m")).isEqualTo(Target.latest("m"));
    assertThat(core.target("m", "")).isEqualTo(Target.latest("m"));
    assertThat(core.target("m", "7")).isEqualTo(Target.of("m", 7));
    assertThat(core.target("m@prod")).isEqualTo(Target.of("m", 1));
    assertThat(thrown(() -> core.target("m@prod", "1")).kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT);
    KilnException alias = thrown(() -> core.target("m@canary"));
    assertThat(alias.kind()).isEqualTo(ErrorKind.NOT_FOUND);
    assertThat(alias).hasMessage("model 'm' has no alias 'canary'");
    assertThat(thrown(() -> core.target("m", "one"))).hasMessage("model 'm' has no version 'one'");
    assertThat(thrown(() -> core.target("nope", "one"))).hasMessage("unknown model 'nope'");
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
    assertThat(failure(send(name, null, request(1, 0))).kind()).isIn(ErrorKind.INVALID_ARGUMENT, ErrorKind.NOT_FOUND);
    assertThat(ready(name, null)).isFalse();
    core.poll();

    assertThat(snapshot(tmp)).isEqualTo(before);
    assertThat(engine.loadedFiles).allSatisfy(f -> assertThat(f).startsWith(root.toRealPath()));
    assertThat(core.index(false)).extracting(RepositoryEntry::name).containsExactly("m");
  }

  @Test
  void warmupFailureMarksTheVersionUnavailableAndClosesEachInstanceOnce() throws Exception {
    config("m", "{\"instance-count\": 2}");
    model("m", 1, "fail-run");
    model("ok", 1, "scale=1");

    start();

    assertThat(core.index(false))
        .filteredOn(e -> e.name().equals("m"))
        .singleElement()
        .satisfies(e -> {
          assertThat(e.version()).isEqualTo("1");
          assertThat(e.state()).isEqualTo(ModelState.UNAVAILABLE);
          assertThat(e.reason()).startsWith("warmup failed");
        });
    assertThat(engine.instances)
        .filteredOn(i -> i.model.equals("m"))
        .hasSize(2)
        .allSatisfy(i -> assertThat(i.closes).as("closed exactly once").hasValue(1));
    assertThat(failure(send("m", null, request(1, 0))).kind()).isIn(ErrorKind.NOT_FOUND, ErrorKind.UNAVAILABLE);
    KilnException load = thrown(() -> core.load("m"));
    assertThat(load.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT);
    assertThat(load).hasMessageContaining("warmup failed");
  }

  @Test
  void closeStopsReadinessAndRefusesRequests() throws Exception {
    model("m", 1, "scale=1");
    start();

    core.close();

    assertThat(core.ready()).isFalse();
    assertThat(failure(send("m", null, request(1, 0))).kind()).isEqualTo(ErrorKind.UNAVAILABLE);
    assertThat(engine.instances).allSatisfy(i -> assertThat(i.closes).hasValue(1));
  }
}
