import net from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Writes bytes as they are and parses the answer: for requests no HTTP client library would send (a fragment or
 * a malformed escape in the target, absolute-form, an unknown method, oversized headers). Send `Connection:
 * close`; the answer ends when the server closes.
 */
export function rawExchange(port: number, text: string, host = '127.0.0.1', timeoutMs = 30_000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host, () => socket.write(text));
    // An answer that never ends (an event stream) is cut here and parsed as far as it came.
    socket.setTimeout(timeoutMs, () => socket.destroy());
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const received = Buffer.concat(chunks).toString();
      const [head = '', ...rest] = received.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(
        lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
      );
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
  });
}

/** A whole request, `Connection: close` included. */
export function rawRequest(
  port: number,
  requestLine: string,
  headers: Record<string, string> = {},
  body = '',
  timeoutMs?: number,
): Promise<RawAnswer> {
  const lines = Object.entries({ host: `127.0.0.1:${port}`, connection: 'close', ...headers }).map(
    ([name, value]) => `${name}: ${value}`,
  );
  if (body !== '') lines.push(`content-length: ${Buffer.byteLength(body)}`);
  return rawExchange(port, `${requestLine}\r\n${lines.join('\r\n')}\r\n\r\n${body}`, '127.0.0.1', timeoutMs);
}
