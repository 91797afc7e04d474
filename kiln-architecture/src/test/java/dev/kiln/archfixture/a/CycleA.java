package dev.kiln.archfixture.a;

import dev.kiln.archfixture.b.CycleB;

/** A deliberate violation for KilnRulesBiteTest; never imported by ArchitectureTest (test classes are skipped). */
public class CycleA {
  CycleB b;
}
