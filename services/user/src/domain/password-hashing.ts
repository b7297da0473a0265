import { randomBytes } from 'node:crypto';
import { hash, verify, type Algorithm, type Options } from '@node-rs/argon2';
import type { PasswordHasher } from './ports';

/**
 * OWASP Password Storage Cheat Sheet, first argon2id configuration: 19 MiB, 2 passes, 1 lane.
 * The algorithm is spelled as its number: the package's enum is a `const enum`, which per-file compilers
 * (swc in the tests) cannot inline.
 */
export const argon2idOptions: Options = {
  algorithm: 2 as Algorithm.Argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

export function createPasswordHasher(options: Options = argon2idOptions): PasswordHasher {
  // Same parameters as real hashes, so a dummy verification costs what a real one does.
  const dummyHash = hash(randomBytes(32).toString('base64url'), options);
  return {
    hash: (password) => hash(password, options),
    verify: (passwordHash, password) => verify(passwordHash, password),
    async verifyDummy(password) {
      await verify(await dummyHash, password);
    },
  };
}
