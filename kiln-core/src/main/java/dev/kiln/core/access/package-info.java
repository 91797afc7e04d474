/**
 * The access port every protocol adapter calls before serving a request: which {@link dev.kiln.core.access.Permission}
 * a route or RPC needs, and the {@link dev.kiln.core.access.Gate} that decides. A refusal is a {@link
 * dev.kiln.core.error.KilnException} (UNAUTHENTICATED, PERMISSION_DENIED, RATE_LIMITED with its retry-after), rendered
 * by each protocol's one error table like any other error. Adapters know nothing of keys or quotas; the governance
 * module implements the gate.
 */
package dev.kiln.core.access;
