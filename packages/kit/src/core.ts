/**
 * `@platform/kit/core`: the part of the kit a service's domain layer may import. It loads no framework (no fastify,
 * kafkajs, mongoose, mongodb or ioredis; dependency-cruiser's `kit-core-is-light` rule and the kit's core test
 * check it): errors and their codes, event envelopes and outbox entries, list cursors, audit records.
 */
export { AppError, KitErrors, createError, isAppError } from './errors/app-error';
export type { AppErrorOptions, ErrorDefinition, ErrorFactory } from './errors/app-error';
export { AuthErrors } from './errors/auth-errors';
export type { Problem, InvalidField } from './errors/problem';
export { createEvent } from './kafka/envelope';
export type { CreateEventOptions, EventEnvelope } from './kafka/envelope';
export { eventEntry } from './kafka/catalogue';
export type { EventCatalogue } from './kafka/catalogue';
export type { OutboxEntry, OutboxFields } from './kafka/outbox';
export { createTimeIdCursorCodec } from './cursor';
export type { TimeIdCursor, TimeIdCursorCodec } from './cursor';
export { writeAudit } from './audit';
export type { AuditLogger, AuditRecord } from './audit';
export type { DenyList } from './auth/deny-list-port';
