package dev.kiln.console.archfixture;

import dev.kiln.govern.archfixture.GovernWiringAdapters;

/** A deliberate violation for KilnRulesBiteTest: a console class reaching past the APIs into governance. */
public class ConsoleUsingGovernance {
  GovernWiringAdapters governance;
}
