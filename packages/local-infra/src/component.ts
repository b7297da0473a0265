/** One piece of local infrastructure, either run by this package or provided from outside (env URL). */
export interface Component {
  readonly name: string;
  /** What clients connect to: a broker list, a mongodb:// URL or a redis:// URL. */
  readonly url: string;
  /** True when the URL came from the environment; such components are never installed, started or stopped here. */
  readonly external: boolean;
  /** Downloads or builds what is missing; a no-op when everything is already cached. */
  install(): Promise<void>;
  /** Starts the server (if not already running) and waits until it answers. */
  start(): Promise<void>;
  /** Asks the server a real question with the real client; true when it answers. */
  probe(): Promise<boolean>;
  stop(): Promise<void>;
  /** Folders holding the server's data, which `npm run infra:reset` deletes once the server is stopped. */
  readonly dataDirs?: readonly string[];
}
