/**
 * Loaded with `node --import @platform/kit/tracing dist/server.js`, before the application code,
 * so the instrumentations can patch undici, mongodb, ioredis and kafkajs as they are first required (the HTTP
 * server span is the kit's own, see server-span.ts).
 */
import { startTracing } from './sdk';

startTracing();
