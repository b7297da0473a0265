export { uniqueName, isolatedMongoUrl, requireEnv } from './names';
export { waitFor } from './wait-for';
export { freePort, startPrivateKafka, startPrivateRedis } from './private-infra';
