/** Micrometer meters of the inference core, per model and version; the server exports them as Prometheus text. */
package dev.kiln.core.metrics;
