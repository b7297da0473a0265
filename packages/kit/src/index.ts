export { createApp } from './app';
export type { CreateAppOptions } from './app';
export {
  loadConfig,
  baseConfigSchema,
  defineConfigSchema,
  infraConfigKeys,
  databaseFreeInfraConfigKeys,
  authConfigKeys,
  commaList,
  ipListKey,
  isIpOrCidr,
  trustProxyFrom,
  ConfigError,
} from './config';
export type { BaseConfig, InfraConfig, AuthConfig } from './config';
export { buildLoggerOptions, genRequestId, redactPaths, traceMixin } from './logger';
export { AppError, KitErrors, createError, isAppError } from './errors/app-error';
export type { AppErrorOptions, ErrorDefinition, ErrorFactory } from './errors/app-error';
export { errorHandler } from './errors/error-handler';
export { classifyFailure, isTransientError, PoisonMessageError, TransientError } from './errors/failure-kind';
export type { FailureKind } from './errors/failure-kind';
export { problemContentType, problemType } from './errors/problem';
export type { Problem, InvalidField } from './errors/problem';
export { health, createHealthRegistry } from './health';
export type { HealthCheck, HealthRegistry, ReadinessReport } from './health';
export { metrics, createRegistry, getOrCreate, startMetricsServer } from './metrics';
export type { MetricsOptions, MetricsServer } from './metrics';
export { redis, createRedisClient } from './redis';
export type { RedisOptions } from './redis';
export { runService } from './start';
export type { ServiceDefinition } from './start';
export { startTracing, shutdownTracing } from './tracing/sdk';
export * from './http';
export * from './kafka';
export * from './auth';
export { runMigrations } from './migrations';
export type { MigrationAction, MigrationOptions, MigrationResult } from './migrations';
export { openapi } from './openapi';
export type { OpenApiOptions } from './openapi';
export { InvalidFieldSchema, NoContent, ProblemSchema, defineProblems, problems } from './schemas';
export type { ProblemOptions, ProblemResponse } from './schemas';
export { infrastructure } from './infrastructure';
export type { InfrastructureOptions } from './infrastructure';
export { addPeriodicTask, createPeriodicTask } from './periodic-task';
export type { AppTaskOptions, PeriodicTask, PeriodicTaskOptions, TaskLogger } from './periodic-task';
export { createTimeIdCursorCodec } from './cursor';
export type { TimeIdCursor, TimeIdCursorCodec } from './cursor';
export { writeAudit } from './audit';
export type { AuditLogger, AuditRecord } from './audit';
