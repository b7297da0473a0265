// on-exit-leak-free 2.x ships no types: the part of its API the kit calls (log-destination.ts).
declare module 'on-exit-leak-free' {
  /** Calls `fn(obj, event)` on process exit (and beforeExit) while `obj` lives; holds it weakly. */
  export function register<T extends object>(obj: T, fn: (obj: T, event: 'exit' | 'beforeExit') => void): void;
  export function unregister(obj: object): void;
}
