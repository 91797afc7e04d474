package dev.kiln.protocol.grpc.archfixture;

/** A deliberate violation for KilnRulesBiteTest; never imported by ArchitectureTest (test classes are skipped). */
public class FixtureGrpc {}
