package dev.kiln.http.archfixture;

import dev.kiln.server.archfixture.FixtureServer;

/** A deliberate violation for KilnRulesBiteTest; never imported by ArchitectureTest (test classes are skipped). */
public class HttpUsingServer {
  FixtureServer server;
}
