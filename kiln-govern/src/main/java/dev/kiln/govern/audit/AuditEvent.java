package dev.kiln.govern.audit;

import java.time.Instant;

/**
 * One entry of the append-only audit log: who did what to which target, when, from where.
 *
 * @param id assigned by the store, increasing
 * @param actor the key id, or {@code system}
 * @param action e.g. {@code key.create}, {@code model.push}, {@code model.alias}, {@code job.submit}
 * @param target e.g. {@code key:ab12cd}, {@code model:mnist/3}
 * @param source the caller's address
 * @param outcome {@code ok}, {@code denied} or {@code failed}
 */
public record AuditEvent(
    long id, Instant at, String actor, String action, String target, String source, String outcome, String detail) {}
