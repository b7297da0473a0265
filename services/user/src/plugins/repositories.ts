import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
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

async function repositoriesPlugin(app: FastifyInstance): Promise<void> {
  app.decorate('users', createUserRepository(app.mongo));
  app.decorate('refreshTokens', createRefreshTokenRepository(app.mongo));
  app.decorate('loginThrottle', createLoginThrottle(app.redis, lockoutPolicy));
}

export const repositories = fp(repositoriesPlugin, {
  name: 'user-repositories',
  dependencies: ['kit-mongo', 'kit-redis'],
});
