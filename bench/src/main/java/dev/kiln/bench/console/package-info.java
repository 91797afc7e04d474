/**
 * The web console's list APIs on a large installation (issue 14): {@link dev.kiln.bench.console.ConsoleBench} seeds a
 * governance database with 1,000 registry models, 10,000 jobs and 100,000 audit events ({@link
 * dev.kiln.bench.console.ConsoleSeed}), starts a real server on it and times the first page of each list the console
 * shows, and the whole lists, over HTTP.
 */
package dev.kiln.bench.console;
