export { uniqueName, isolatedMongoUrl, requireEnv } from './names';
export { waitFor } from './wait-for';
