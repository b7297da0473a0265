import http from 'node:http';

export interface StatusStream {
  /** HTTP status of the stream's answer, once it came. */
  status(): number | undefined;
  /** Every status the stream has sent so far, in order. */
  statuses(): string[];
  ended(): boolean;
  close(): void;
}

/** Opens an order's status stream (Server-Sent Events) through the gateway and records what it sends. */
export function openStatusStream(gateway: string, orderId: string, token: string, clientIp: string): StatusStream {
  let status: number | undefined;
  let ended = false;
  const statuses: string[] = [];
  let buffer = '';
  const request = http.get(
    `${gateway}/api/v1/orders/${orderId}/events`,
    { agent: false, headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': clientIp } },
    (response) => {
      status = response.statusCode;
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = event.split('\n').find((line) => line.startsWith('data:'));
          if (data) statuses.push((JSON.parse(data.slice(5)) as { status: string }).status);
        }
      });
      response.on('end', () => (ended = true));
      response.on('error', () => (ended = true));
    },
  );
  request.on('error', () => (ended = true));
  return {
    status: () => status,
    statuses: () => [...statuses],
    ended: () => ended,
    close: () => request.destroy(),
  };
}
