package dev.kiln.protocol.rest.archfixture;

import dev.kiln.engine.archfixture.FixtureEngine;

/** A deliberate violation for KilnRulesBiteTest; never imported by ArchitectureTest (test classes are skipped). */
public class AdapterUsingEngine {
  FixtureEngine engine;
}
