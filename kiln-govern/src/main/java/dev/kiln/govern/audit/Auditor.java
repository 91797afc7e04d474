package dev.kiln.govern.audit;

import java.time.Clock;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Writes audit entries for management actions, stamped with the time. */
public final class Auditor {
  private static final Logger LOG = Logger.getLogger(Auditor.class.getName());

  private final AuditLog log;
  private final Clock clock;

  public Auditor(AuditLog log, Clock clock) {
    this.log = log;
    this.clock = clock;
  }

  public AuditLog log() {
    return log;
  }

  /**
   * Records one action. An action that happened must not be undone because the audit write failed, so a failure is
   * logged loudly instead of thrown.
   */
  public void record(String actor, String action, String target, String source, String outcome, String detail) {
    try {
      log.append(new AuditEvent(0, clock.instant(), actor, action, target, source, outcome, detail));
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "audit entry lost: " + actor + " " + action + " " + target + " " + outcome, e);
    }
  }
}
