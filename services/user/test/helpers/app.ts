import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { exportJWK, exportPKCS8, generateKeyPair, type JWK } from 'jose';
import { loadConfig } from '@platform/kit';
import { createTestIssuer, migrateUp, serviceTestEnv, uniqueName, type TestIssuer } from '@platform/test-kit';
import { buildApp } from '../../src/app';
import { configSchema, type UserConfig } from '../../src/config';

export const migrationsDir = path.join(__dirname, '..', '..', 'migrations');

export interface SigningKey {
  pem: string;
  kid: string;
  publicJwk: JWK;
}

/** A fresh Ed25519 key pair, as an operator would create one for JWT_PRIVATE_KEY. */
export async function generateSigningKey(kid = uniqueName('key')): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  return { pem: await exportPKCS8(privateKey), kid, publicJwk: { ...(await exportJWK(publicKey)), kid } };
}

/** The environment of a test instance: private database and topics, a fresh signing key. */
export async function testEnv(overrides: Record<string, string> = {}): Promise<Record<string, string>> {
  const key = await generateSigningKey();
  return {
    ...serviceTestEnv('user'),
    // The tests read the audit lines.
    LOG_LEVEL: 'info',
    JWT_PRIVATE_KEY: key.pem,
    JWT_KEY_ID: key.kid,
    ...overrides,
  };
}

export interface TestApp {
  app: FastifyInstance;
  config: Readonly<UserConfig>;
  /** Signs tokens for users that need not exist (its keys are trusted in addition to the service's own). */
  issuer: TestIssuer;
  /** Every log line the app wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/** Migrates a private database and builds the app exactly as production does, through the config schema. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const config = loadConfig(configSchema, await testEnv(env));
  await migrateUp(migrationsDir, config.MONGO_URL);
  const issuer = await createTestIssuer(config.AUTH_ISSUER, config.AUTH_AUDIENCE);
  const logStream = new PassThrough();
  const logs: Array<Record<string, unknown>> = [];
  logStream.on('data', function collectLogLines(chunk: Buffer) {
    for (const line of chunk.toString().split('\n').filter(Boolean))
      logs.push(JSON.parse(line) as Record<string, unknown>);
  });
  const app = await buildApp(config, { jwks: issuer.jwks, logStream });
  await app.ready();
  return { app, config, issuer, logs, close: () => app.close() };
}

/** Audit entries the app logged, optionally only those of one action. */
export function auditEntries(logs: Array<Record<string, unknown>>, action?: string): Array<Record<string, unknown>> {
  return logs
    .map((line) => line.audit as Record<string, unknown> | undefined)
    .filter((entry): entry is Record<string, unknown> => !!entry && (!action || entry.action === action));
}
