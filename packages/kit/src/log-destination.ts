import { register } from 'on-exit-leak-free';
import pino, { type DestinationStream } from 'pino';

type SonicBoom = ReturnType<typeof pino.destination>;

/** A batch of this many characters is written at once, without waiting for its time. */
const FLUSH_AT_CHARS = 64 * 1024;

/**
 * Lines gathered for up to `flushAfterMs` (100 by default; or until 64 KB wait) and handed to sonic-boom (pino's
 * asynchronous destination) in one write. Each write sonic-boom makes is a system call on a thread of libuv's pool,
 * and its end a wake-up of the event loop: written at the end of every event-loop turn, that was one write and two
 * wake-ups per request at a moderate rate, 5.6% of the gateway's CPU profile at 500 authenticated reads a second
 * (about 80 µs per request on a two-core VM, in the services alike); gathered for 100 ms, ten writes a second.
 * Joined rather than given one by one because sonic-boom measures the byte length of its whole pending chunk on
 * every write (Buffer.byteLength was 4.5% of the product service's profile under load).
 */
class BatchedDestination implements DestinationStream {
  private lines: string[] = [];
  private chars = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly target: SonicBoom,
    private readonly flushAfterMs: number,
  ) {
    // Lines still waiting are written when the process exits, a crash included.
    register(this, flushOnExit);
  }

  write(line: string): void {
    this.lines.push(line);
    this.chars += line.length;
    if (this.chars >= FLUSH_AT_CHARS) this.flush();
    // Unreferenced: waiting lines never keep a process alive, the exit handler writes them.
    else this.timer ??= setTimeout(this.flush, this.flushAfterMs).unref();
  }

  /** Everything written so far, on its way to the file descriptor before this returns. */
  flushSync(): void {
    this.flush();
    this.target.flushSync();
  }

  private readonly flush = (): void => {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.lines.length === 0) return;
    const chunk = this.lines.join('');
    this.lines = [];
    this.chars = 0;
    this.target.write(chunk);
  };
}

function flushOnExit(destination: BatchedDestination): void {
  destination.flushSync();
}

/**
 * Standard output, written asynchronously: lines leave at most 100 ms after they were logged, many requests' lines
 * in one write instead of one system call each (the gateway's profile showed pino's synchronous writes among its
 * costs, later the asynchronous writes of every turn). What is queued is written synchronously when the process
 * exits, a crash included; only a SIGKILL can lose lines, those of the last 100 ms at most.
 */
export function stdoutDestination(): DestinationStream {
  return asyncLogDestination(1);
}

/** The same for any open file descriptor; `flushAfterMs`: the longest a line waits. */
export function asyncLogDestination(
  fd: number,
  { flushAfterMs = 100 } = {},
): DestinationStream & { flushSync(): void } {
  return new BatchedDestination(pino.destination({ dest: fd, sync: false }), flushAfterMs);
}
