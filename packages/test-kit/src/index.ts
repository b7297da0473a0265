export { uniqueName, isolatedMongoUrl, requireEnv } from './names';
export { waitFor } from './wait-for';
export { freePort, startPrivateFerretDb, startPrivateKafka, startPrivateRedis } from './private-infra';
export { createTestIssuer, objectIdHex } from './issuer';
export type { TestIssuer, TokenOptions } from './issuer';
export { migrateDownAll, migrateUp } from './migrate';
export { call } from './http';
export type { ApiResponse, CallOptions } from './http';
