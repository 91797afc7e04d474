/**
 * The interface the core owns and engines implement. An engine turns a model artifact into instances that run tensors;
 * it knows nothing about protocols, batching or lifecycle.
 */
package dev.kiln.core.engine;
