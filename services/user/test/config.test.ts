import { ConfigError, loadConfig } from '@platform/kit';
import { configSchema } from '../src/config';
import { generateSigningKey } from './helpers/app';

describe('configuration', () => {
  let base: Record<string, string>;

  beforeAll(async () => {
    const key = await generateSigningKey('key-1');
    base = {
      SERVICE_NAME: 'user-service',
      MONGO_URL: 'mongodb://127.0.0.1:27017/users',
      REDIS_URL: 'redis://127.0.0.1:6379',
      KAFKA_BROKERS: '127.0.0.1:9092',
      JWT_PRIVATE_KEY: key.pem,
      JWT_KEY_ID: key.kid,
    };
  });

  const problems = (env: Record<string, string | undefined>): string[] => {
    try {
      loadConfig(configSchema, env);
      return [];
    } catch (err) {
      if (err instanceof ConfigError) return err.problems;
      throw err;
    }
  };

  it('when only the required variables are set, then the defaults apply and no AUTH_JWKS_URL is needed', () => {
    const config = loadConfig(configSchema, base);

    expect(config).toMatchObject({
      AUTH_ISSUER: 'platform-user-service',
      AUTH_AUDIENCE: 'platform-api',
      ACCESS_TOKEN_TTL_SECONDS: 900,
      REFRESH_TOKEN_TTL_DAYS: 30,
      JWT_PREVIOUS_PUBLIC_KEYS: [],
    });
  });

  it('when the PEM arrives on one line with escaped line breaks, then it is restored', () => {
    const config = loadConfig(configSchema, { ...base, JWT_PRIVATE_KEY: base.JWT_PRIVATE_KEY!.replace(/\n/g, '\\n') });

    expect(config.JWT_PRIVATE_KEY).toBe(base.JWT_PRIVATE_KEY);
  });

  it('when the signing key or its id is missing, then both are named', () => {
    const found = problems({ ...base, JWT_PRIVATE_KEY: undefined, JWT_KEY_ID: undefined });

    expect(found).toEqual(
      expect.arrayContaining([expect.stringMatching(/^JWT_PRIVATE_KEY/), expect.stringMatching(/^JWT_KEY_ID/)]),
    );
  });

  it('when the previous keys are not a JSON array of public Ed25519 JWKs, then start-up fails', () => {
    expect(problems({ ...base, JWT_PREVIOUS_PUBLIC_KEYS: 'not json' })).toEqual([
      expect.stringMatching(/^JWT_PREVIOUS_PUBLIC_KEYS: must be a JSON array/),
    ]);
    const withPrivatePart = JSON.stringify([{ kty: 'OKP', crv: 'Ed25519', x: 'abc', d: 'secret', kid: 'k' }]);
    expect(problems({ ...base, JWT_PREVIOUS_PUBLIC_KEYS: withPrivatePart })).toHaveLength(1);
  });

  it('when only one of ADMIN_EMAIL and ADMIN_PASSWORD is set, then start-up fails', () => {
    expect(problems({ ...base, ADMIN_EMAIL: 'admin@example.com' })).toHaveLength(1);
  });

  it('when ADMIN_PASSWORD breaks the strength rules, then start-up fails saying why', () => {
    const found = problems({ ...base, ADMIN_EMAIL: 'admin@example.com', ADMIN_PASSWORD: 'password1234' });

    expect(found).toEqual([expect.stringContaining('ADMIN_PASSWORD is too weak: is too common')]);
  });
});
