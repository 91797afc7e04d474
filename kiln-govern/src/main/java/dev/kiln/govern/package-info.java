/**
 * Governance, shared by every replica through one database and one artifact store: the model registry ({@code
 * registry}), API keys, scopes and limits ({@code auth}), usage accounting ({@code usage}), the audit log ({@code
 * audit}), artifacts encrypted at rest ({@code crypto}) and the JDBC stores under all of them ({@code store}). Protocol
 * adapters ask {@code auth} whether a call may proceed; nothing here knows HTTP or gRPC.
 */
package dev.kiln.govern;
