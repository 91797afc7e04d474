package dev.kiln.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.PackageMatcher;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.library.dependencies.Slice;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The rules that keep Kiln's module shape (README, "Architecture rules"). Each is a plain {@link ArchRule}, checked
 * over the real classes by {@link ArchitectureTest} and shown to bite on a deliberate violation by {@link
 * KilnRulesBiteTest}.
 */
final class KilnRules {

  private KilnRules() {}

  /** Adapters decode, call the core and encode; a feature or an engine reaches them only through the server. */
  static final ArchRule ADAPTERS_STAY_THIN =
      noClasses()
          .that()
          .resideInAPackage("dev.kiln.protocol..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("dev.kiln.training..", "dev.kiln.govern..", "dev.kiln.engine..")
          .because("protocol adapters render core operations; features and engines are wired in by kiln-server");

  /** Engines are below every transport: they turn tensors into tensors. */
  static final ArchRule ENGINES_KNOW_NO_TRANSPORT =
      noClasses()
          .that()
          .resideInAPackage("dev.kiln.engine..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("dev.kiln.protocol..", "dev.kiln.http..")
          .because("an engine serves every protocol, so it may know none of them");

  /** kiln-http is the floor every HTTP feature stands on; it depends on kiln-core only. */
  static final ArchRule HTTP_DEPENDS_ON_CORE_ONLY =
      noClasses()
          .that()
          .resideInAPackage("dev.kiln.http..")
          .should()
          .dependOnClassesThat(
              resideInAPackage("dev.kiln..").and(not(resideInAnyPackage("dev.kiln.http..", "dev.kiln.core.."))))
          .because("features, adapters, engines, the server and the CLI depend on kiln-http, never the reverse");

  /** The console is a client of the public APIs: it serves files and reaches no feature, store or engine. */
  static final ArchRule CONSOLE_HAS_NO_BACK_DOOR =
      noClasses()
          .that()
          .resideInAPackage("dev.kiln.console..")
          .should()
          .dependOnClassesThat(
              resideInAPackage("dev.kiln..")
                  .and(not(resideInAnyPackage("dev.kiln.console..", "dev.kiln.http..", "dev.kiln.core.."))))
          .because("what the console can do, an API key can do: it calls the same routes, with the same checks");

  /** The inference core depends on no other Kiln module. */
  static final ArchRule CORE_DEPENDS_ON_NO_KILN_MODULE =
      noClasses()
          .that()
          .resideInAPackage("dev.kiln.core..")
          .should()
          .dependOnClassesThat(resideInAPackage("dev.kiln..").and(not(resideInAPackage("dev.kiln.core.."))))
          .because("kiln-core states what it needs as ports; other modules implement them");

  /** Training runs without a server and without ONNX Runtime; only its own HTTP module speaks HTTP. */
  static final ArchRule TRAINING_NEEDS_NO_RUNTIME_OR_HTTP =
      noClasses()
          .that()
          .resideInAPackage("dev.kiln.training..")
          .and()
          .resideOutsideOfPackage("dev.kiln.training.http..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "ai.onnxruntime..",
              "dev.kiln.engine..",
              "io.netty..",
              "io.grpc..",
              "dev.kiln.http..",
              "java.net.http..",
              "com.sun.net.httpserver..")
          .because(
              "training writes ONNX through kiln-onnx-format and is served by kiln-training-http; it pulls in"
                  + " no runtime or transport");

  /** Wiring happens in one place: only the server (and the CLI that starts it) combine protocol adapters. */
  static final ArchRule ONLY_SERVER_WIRES_ADAPTERS =
      slices()
          .assignedFrom(new KilnModules())
          .that(not(nameIn("kiln-server", "kiln-cli")))
          .should(dependOnAtMostOneAdapter())
          .because("wiring lives in kiln-server; a module that combines adapters is a second composition root");

  /** Kiln's packages form a directed graph; a cycle would make two packages one room with two doors. */
  static final ArchRule NO_PACKAGE_CYCLES =
      slices().matching("dev.kiln.(**)").should().beFreeOfCycles().because("packages are layered, not tangled");

  static final ArchRule[] ALL = {
    ADAPTERS_STAY_THIN,
    ENGINES_KNOW_NO_TRANSPORT,
    HTTP_DEPENDS_ON_CORE_ONLY,
    CORE_DEPENDS_ON_NO_KILN_MODULE,
    TRAINING_NEEDS_NO_RUNTIME_OR_HTTP,
    ONLY_SERVER_WIRES_ADAPTERS,
    NO_PACKAGE_CYCLES,
  };

  private static DescribedPredicate<Slice> nameIn(String... modules) {
    Set<String> names = Set.of(modules);
    return DescribedPredicate.describe("module in " + names, slice -> names.contains(slice.getNamePart(1)));
  }

  /** A module's classes, taken together, reach at most one protocol adapter (their own counts). */
  private static ArchCondition<Slice> dependOnAtMostOneAdapter() {
    return new ArchCondition<>("depend on at most one protocol adapter") {
      @Override
      public void check(Slice slice, ConditionEvents events) {
        TreeMap<String, TreeSet<String>> reached = new TreeMap<>();
        for (JavaClass source : slice) {
          adapterOf(source).ifPresent(a -> reached.computeIfAbsent(a, k -> new TreeSet<>()).add(source.getName()));
          for (Dependency d : source.getDirectDependenciesFromSelf()) {
            adapterOf(d.getTargetClass())
                .ifPresent(a -> reached.computeIfAbsent(a, k -> new TreeSet<>()).add(d.getDescription()));
          }
        }
        if (reached.size() > 1) {
          StringBuilder why = new StringBuilder(slice.getNamePart(1) + " reaches " + reached.keySet() + ":");
          reached.forEach((adapter, uses) -> why.append("\n  ").append(adapter).append(": ").append(uses.first()));
          events.add(SimpleConditionEvent.violated(slice, why.toString()));
        }
      }
    };
  }

  private static Optional<String> adapterOf(JavaClass c) {
    String pkg = c.getPackageName();
    return Arrays.stream(KilnModules.ADAPTERS).anyMatch(p -> PackageMatcher.of(p).matches(pkg))
        ? Optional.of(KilnModules.moduleOf(pkg))
        : Optional.empty();
  }
}
