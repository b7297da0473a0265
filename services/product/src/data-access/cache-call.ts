export type CacheResult = 'hit' | 'miss' | 'error';
export type CacheLookupKind = 'id' | 'sku' | 'list';

export interface CacheCallOptions {
  timeoutMs: number;
  log: { warn(obj: object, msg: string): void };
}

/** The value a cache call produced, or undefined when Redis failed or was too slow. */
export type CacheOutcome<T> = { value: T } | undefined;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`cache call took longer than ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs one cache operation so that it can never fail or stall the request: errors and timeouts become an
 * undefined outcome and a warning. The Redis client fails fast while disconnected (no offline queue), and the
 * timeout covers a server that accepts commands but does not answer.
 */
export function cacheCall({ timeoutMs, log }: CacheCallOptions) {
  return async function attempt<T>(operation: string, work: () => Promise<T>): Promise<CacheOutcome<T>> {
    try {
      return { value: await withTimeout(work(), timeoutMs) };
    } catch (err) {
      log.warn({ err, operation }, 'product cache unavailable, using the database');
      return undefined;
    }
  };
}
