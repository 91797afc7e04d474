package dev.kiln.archfixture.b;

import dev.kiln.archfixture.a.CycleA;

/** A deliberate violation for KilnRulesBiteTest; never imported by ArchitectureTest (test classes are skipped). */
public class CycleB {
  CycleA a;
}
