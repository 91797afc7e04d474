/**
 * Turns requests into engine executions: a bounded queue per model version, one worker per engine instance, and dynamic
 * batching that stacks compatible requests along dimension 0 and hands each caller back exactly its own rows.
 */
package dev.kiln.core.scheduling;
