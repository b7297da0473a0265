export interface RetrySchedule {
  /** Total attempts, the first one included. */
  attempts: number;
  /**
   * Milliseconds to wait before retry number `retry` (0 for the first) after `error`,
   * or undefined when the error must not be retried.
   */
  delayAfter(error: unknown, retry: number): number | undefined;
  sleep(ms: number): Promise<void>;
  onRetry?(error: unknown, delayMs: number): void;
}

/** Runs `task` until it succeeds, the schedule declines the error or attempts run out; then throws the last error. */
export async function withRetry<T>(task: () => Promise<T>, schedule: RetrySchedule): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await task();
    } catch (err) {
      const delayMs = attempt < schedule.attempts ? schedule.delayAfter(err, attempt - 1) : undefined;
      if (delayMs === undefined) throw err;
      schedule.onRetry?.(err, delayMs);
      await schedule.sleep(delayMs);
    }
  }
}
