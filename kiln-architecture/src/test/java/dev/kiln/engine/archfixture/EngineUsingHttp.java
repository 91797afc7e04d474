package dev.kiln.engine.archfixture;

import dev.kiln.http.archfixture.FixtureHttp;

/** A deliberate violation for KilnRulesBiteTest; never imported by ArchitectureTest (test classes are skipped). */
public class EngineUsingHttp {
  FixtureHttp http;
}
