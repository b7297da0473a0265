/**
 * Loaded with `node --import @platform/kit/tracing dist/server.js`, before the application code,
 * so the instrumentations can patch http, fastify, mongodb, ioredis and kafkajs as they are first required.
 */
import { startTracing } from './sdk';

startTracing();
