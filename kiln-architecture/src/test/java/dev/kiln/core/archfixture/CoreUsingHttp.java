package dev.kiln.core.archfixture;

import dev.kiln.http.archfixture.FixtureHttp;

/** A deliberate violation for KilnRulesBiteTest; never imported by ArchitectureTest (test classes are skipped). */
public class CoreUsingHttp {
  FixtureHttp http;
}
