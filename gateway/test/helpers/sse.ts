import { fetch, type Dispatcher } from 'undici';

export interface SseEvent {
  event: string;
  id?: string;
  data: string;
}

export interface SseConnection {
  status: number;
  headers: Headers;
  /** The next event (comments and retry hints skipped); undefined once the server ended the stream. */
  next(timeoutMs?: number): Promise<SseEvent | undefined>;
  /** Every comment line seen so far (heartbeats). */
  comments: string[];
  close(): void;
}

/**
 * A minimal EventSource over undici's fetch, so a test can send the Authorization header and read events one by
 * one. Pass an Agent the test destroys in afterAll: a connection it leaves open would hold the gateway's close.
 */
export async function openSse(
  url: string,
  headers: Record<string, string>,
  dispatcher: Dispatcher,
): Promise<SseConnection & { body: string }> {
  const abort = new AbortController();
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: abort.signal,
    dispatcher,
  });
  const comments: string[] = [];
  if (!response.headers.get('content-type')?.startsWith('text/event-stream')) {
    return {
      status: response.status,
      headers: response.headers,
      body: await response.text(),
      comments,
      next: async () => undefined,
      close: () => undefined,
    };
  }
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';

  async function next(timeoutMs = 30_000): Promise<SseEvent | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = parseBlock(block, comments);
        if (event) return event;
        continue;
      }
      if (Date.now() > deadline) throw new Error(`no SSE event within ${timeoutMs} ms`);
      const { value, done } = await reader.read();
      if (done) return undefined;
      buffer += value;
    }
  }

  return { status: response.status, headers: response.headers, body: '', comments, next, close: () => abort.abort() };
}

function parseBlock(block: string, comments: string[]): SseEvent | undefined {
  let event = 'message';
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) comments.push(line);
    else if (line.startsWith('event: ')) event = line.slice(7);
    else if (line.startsWith('id: ')) id = line.slice(4);
    else if (line.startsWith('data: ')) data.push(line.slice(6));
  }
  return data.length > 0 ? { event, id, data: data.join('\n') } : undefined;
}
