// opossum 10 ships no types and @types/opossum stops at 8; this covers the part of the API the breaker uses.
declare module 'opossum' {
  import { EventEmitter } from 'node:events';

  namespace CircuitBreaker {
    interface Options {
      name?: string;
      /** Milliseconds before a call counts as failed, or false to never time out. */
      timeout?: number | false;
      resetTimeout?: number;
      errorThresholdPercentage?: number;
      volumeThreshold?: number;
      rollingCountTimeout?: number;
      rollingCountBuckets?: number;
      /** Return true for an error that must not count as a failure. */
      errorFilter?: (err: unknown) => boolean;
    }
  }

  class CircuitBreaker<TArgs extends unknown[] = unknown[], TResult = unknown> extends EventEmitter {
    constructor(action: (...args: TArgs) => Promise<TResult>, options?: CircuitBreaker.Options);
    readonly name: string;
    readonly opened: boolean;
    readonly halfOpen: boolean;
    readonly closed: boolean;
    readonly isShutdown: boolean;
    fire(...args: TArgs): Promise<TResult>;
    open(): void;
    close(): void;
    shutdown(): void;
    on(event: 'open' | 'halfOpen' | 'close' | 'shutdown', listener: () => void): this;
    on(event: 'reject', listener: (err: Error) => void): this;
  }

  export = CircuitBreaker;
}
