package dev.kiln.architecture;

import org.junit.jupiter.api.Test;

/** Kiln's module rules over the real main classes of every module; a failure names each offending dependency. */
class ArchitectureTest {

  @Test
  void protocolAdaptersDependOnNoFeatureOrEngine() {
    KilnRules.ADAPTERS_STAY_THIN.check(KilnClasses.MAIN);
  }

  @Test
  void enginesDependOnNoProtocolOrHttp() {
    KilnRules.ENGINES_KNOW_NO_TRANSPORT.check(KilnClasses.MAIN);
  }

  @Test
  void kilnHttpDependsOnKilnCoreOnly() {
    KilnRules.HTTP_DEPENDS_ON_CORE_ONLY.check(KilnClasses.MAIN);
  }

  @Test
  void theConsoleUsesOnlyThePublicApis() {
    KilnRules.CONSOLE_HAS_NO_BACK_DOOR.check(KilnClasses.MAIN);
  }

  @Test
  void kilnCoreDependsOnNoOtherKilnModule() {
    KilnRules.CORE_DEPENDS_ON_NO_KILN_MODULE.check(KilnClasses.MAIN);
  }

  @Test
  void trainingDependsOnNoOnnxRuntimeOrHttp() {
    KilnRules.TRAINING_NEEDS_NO_RUNTIME_OR_HTTP.check(KilnClasses.MAIN);
  }

  @Test
  void onlyTheServerAndCliCombineProtocolAdapters() {
    KilnRules.ONLY_SERVER_WIRES_ADAPTERS.check(KilnClasses.MAIN);
  }

  @Test
  void kilnPackagesFormNoCycles() {
    KilnRules.NO_PACKAGE_CYCLES.check(KilnClasses.MAIN);
  }
}
