package dev.kiln.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import dev.kiln.archfixture.a.CycleA;
import dev.kiln.archfixture.b.CycleB;
import dev.kiln.console.archfixture.ConsoleUsingGovernance;
import dev.kiln.core.archfixture.CoreUsingHttp;
import dev.kiln.engine.archfixture.EngineUsingHttp;
import dev.kiln.govern.archfixture.GovernWiringAdapters;
import dev.kiln.http.archfixture.HttpUsingServer;
import dev.kiln.protocol.rest.archfixture.AdapterUsingEngine;
import dev.kiln.training.archfixture.TrainingUsingRuntime;
import org.junit.jupiter.api.Test;

/**
 * Each rule fails on a deliberate violation (test classes under {@code dev.kiln.*.archfixture}), so a rule that
 * silently matches nothing, or a package pattern that drifts, is caught here rather than by the next regression.
 */
class KilnRulesBiteTest {

  @Test
  void anAdapterUsingAnEngineFails() {
    assertBites(KilnRules.ADAPTERS_STAY_THIN, AdapterUsingEngine.class);
  }

  @Test
  void anEngineUsingKilnHttpFails() {
    assertBites(KilnRules.ENGINES_KNOW_NO_TRANSPORT, EngineUsingHttp.class);
  }

  @Test
  void kilnHttpUsingTheServerFails() {
    assertBites(KilnRules.HTTP_DEPENDS_ON_CORE_ONLY, HttpUsingServer.class);
  }

  @Test
  void theConsoleUsingTheRegistryFails() {
    assertBites(KilnRules.CONSOLE_HAS_NO_BACK_DOOR, ConsoleUsingGovernance.class);
  }

  @Test
  void theCoreUsingKilnHttpFails() {
    assertBites(KilnRules.CORE_DEPENDS_ON_NO_KILN_MODULE, CoreUsingHttp.class);
  }

  @Test
  void trainingUsingOnnxRuntimeFails() {
    assertBites(KilnRules.TRAINING_NEEDS_NO_RUNTIME_OR_HTTP, TrainingUsingRuntime.class);
  }

  @Test
  void aFeatureCombiningTwoAdaptersFails() {
    assertBites(KilnRules.ONLY_SERVER_WIRES_ADAPTERS, GovernWiringAdapters.class);
  }

  @Test
  void twoPackagesUsingEachOtherFail() {
    assertBites(KilnRules.NO_PACKAGE_CYCLES, CycleA.class, CycleB.class);
  }

  private static void assertBites(ArchRule rule, Class<?>... offenders) {
    EvaluationResult result = rule.evaluate(new ClassFileImporter().importClasses(offenders));
    assertThat(result.hasViolation()).as(rule.getDescription()).isTrue();
    assertThat(result.getFailureReport().toString()).contains(offenders[0].getSimpleName());
  }
}
