/**
 * The Open Inference Protocol's rules, written once for every protocol that speaks it (REST and gRPC): one {@link
 * dev.kiln.core.oip.OipOperation} per operation with the permission it needs and how it finds its model, the {@link
 * dev.kiln.core.oip.OipRulebook} that runs each on the inference core, and the views (server metadata, model
 * configuration, statistics, repository index) that adapters only render.
 */
package dev.kiln.core.oip;
