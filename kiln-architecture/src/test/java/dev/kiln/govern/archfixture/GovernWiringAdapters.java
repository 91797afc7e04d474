package dev.kiln.govern.archfixture;

import dev.kiln.protocol.grpc.archfixture.FixtureGrpc;
import dev.kiln.protocol.rest.archfixture.FixtureRest;

/** A deliberate violation for KilnRulesBiteTest; never imported by ArchitectureTest (test classes are skipped). */
public class GovernWiringAdapters {
  FixtureRest rest;
  FixtureGrpc grpc;
}
