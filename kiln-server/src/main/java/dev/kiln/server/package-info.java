/**
 * Composition of a Kiln server: the configuration record tree and the one place ({@link dev.kiln.server.Kiln})
 * that builds the core, the engines and the protocol listeners from it. Tests start servers through the same
 * code path as {@code kiln serve}.
 */
package dev.kiln.server;
