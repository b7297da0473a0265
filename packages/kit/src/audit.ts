/** One security- or business-relevant fact: who did what to what, and how it ended. */
export interface AuditRecord {
  action: string;
  outcome: string;
  actorId?: string | null;
  targetId?: string | null;
}

/** What an audit line is written to: `request.log` (keeps the request and trace ids) or `app.log`. */
export interface AuditLogger {
  info(fields: object, message: string): void;
}

/**
 * Writes the record as one log line `{ audit: { action, actorId, targetId, outcome, ...details } }` with the action
 * as its message: the one shape every service's audit lines have, so one log query finds them all. Details (a
 * reason, a quantity, a role change) go inside `audit`; never a secret.
 */
export function writeAudit<T extends AuditRecord>(log: AuditLogger, record: T): void {
  const { action, outcome, actorId = null, targetId = null, ...details } = record;
  log.info({ audit: { action, actorId, targetId, outcome, ...details } }, action);
}
