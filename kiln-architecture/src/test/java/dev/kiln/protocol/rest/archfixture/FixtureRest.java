package dev.kiln.protocol.rest.archfixture;

/** A deliberate violation for KilnRulesBiteTest; never imported by ArchitectureTest (test classes are skipped). */
public class FixtureRest {}
