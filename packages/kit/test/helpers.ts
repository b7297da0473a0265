import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { createApp } from '../src/index';

export const testConfig = { SERVICE_NAME: 'kit-test', LOG_LEVEL: 'info', BODY_LIMIT_BYTES: 1024 } as const;

/** An app built by the kit whose log lines the test can read. */
export async function appWithLogs(): Promise<{ app: FastifyInstance; logs: Array<Record<string, unknown>> }> {
  const stream = new PassThrough();
  const logs: Array<Record<string, unknown>> = [];
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean))
      logs.push(JSON.parse(line) as Record<string, unknown>);
  });
  const app = await createApp({ config: testConfig, logStream: stream });
  return { app, logs };
}
