/**
 * HTTP protocols on Netty: the Open Inference Protocol REST API with Triton's binary tensor extension and
 * repository/statistics/config extensions, a plain {@code POST /predict}, and Prometheus {@code /metrics}. Handlers
 * decode, call the inference core, and encode; {@link dev.kiln.protocol.rest.HttpErrors} is the one place where core
 * errors become HTTP statuses.
 */
package dev.kiln.protocol.rest;
