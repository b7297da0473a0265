import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { OutboxRelay } from '@platform/kit';
import { createLoginThrottle } from '../data-access/login-throttle';
import { createRefreshTokenRepository } from '../data-access/refresh-token-repository';
import { createUserRepository } from '../data-access/user-repository';
import { lockoutPolicy } from '../domain/login';
import type { LoginThrottle, RefreshTokenRepository, UserRepository } from '../domain/ports';

declare module 'fastify' {
  interface FastifyInstance {
    users: UserRepository;
    refreshTokens: RefreshTokenRepository;
    loginThrottle: LoginThrottle;
  }
}

export interface RepositoriesOptions {
  /** The users collection's outbox relay (app.kafka.addOutboxRelay). */
  outbox: OutboxRelay;
}

async function repositoriesPlugin(app: FastifyInstance, options: RepositoriesOptions): Promise<void> {
  app.decorate('users', createUserRepository(app.mongo, options.outbox));
  app.decorate('refreshTokens', createRefreshTokenRepository(app.mongo));
  app.decorate('loginThrottle', createLoginThrottle(app.redis, lockoutPolicy));
}

export const repositories = fp(repositoriesPlugin, {
  name: 'user-repositories',
  dependencies: ['kit-mongo', 'kit-redis'],
});
