import Joi from 'joi';
import { ConfigError, defineConfigSchema, loadConfig, type BaseConfig } from '../src/index';

const schema = defineConfigSchema<BaseConfig & { MONGO_URL: string }>({ MONGO_URL: Joi.string().uri().required() });

describe('loadConfig', () => {
  it('when the environment is valid, then it returns typed, defaulted, frozen values without unknown variables', () => {
    const config = loadConfig(schema, {
      SERVICE_NAME: 'orders',
      MONGO_URL: 'mongodb://db/orders',
      PORT: '8080',
      HOME: '/root',
    });

    expect(config).toEqual({
      SERVICE_NAME: 'orders',
      MONGO_URL: 'mongodb://db/orders',
      HOST: '0.0.0.0',
      PORT: 8080,
      METRICS_PORT: 9464,
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_MS: 10_000,
      // The drain before closing (see drain.ts) is off unless a deployment asks for it, as the charts do.
      SHUTDOWN_DRAIN_DELAY_MS: 0,
      BODY_LIMIT_BYTES: 1_048_576,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('when several variables are bad or missing, then one error names every one of them', () => {
    const attempt = (): unknown => loadConfig(schema, { PORT: '99999', LOG_LEVEL: 'chatty' });

    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (err) {
      expect((err as ConfigError).problems).toEqual([
        'SERVICE_NAME: SERVICE_NAME is required',
        'PORT: PORT must be a valid port',
        'LOG_LEVEL: LOG_LEVEL must be one of [fatal, error, warn, info, debug, trace, silent]',
        'MONGO_URL: MONGO_URL is required',
      ]);
    }
  });
});
