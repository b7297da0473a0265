import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The first step of a graceful shutdown, before `close()`: /health/ready answers 503 and every answer carries
     * `Connection: close`, for `delayMs`, while the server still accepts and serves everything.
     */
    drain(delayMs: number): Promise<void>;
  }
}

/**
 * Closing a kept-alive HTTP/1.1 connection is only safe right after an answer: a client may write its next request
 * onto an idle connection at the moment the server closes it, and then sees a reset (`ECONNRESET`, "other side
 * closed"), however quickly the request would have been served. Node's `server.close()` closes every idle connection
 * at once, so a service that closes at SIGTERM resets its keep-alive clients (issue 12: 3 of 735 requests through
 * the gateway during a rolling update).
 *
 * So shutdown drains first. The pod leaves the Service's endpoints (readiness 503, or the kubelet's preStop sleep
 * before the signal), and for the drain delay each answer tells its client to hang up: every connection that is
 * in use closes after its answer, and the client opens the next one to a pod that stays. Connections idle for the
 * whole delay are the only ones `close()` still cuts. During `close()` itself (Fastify's `return503OnClosing`), the
 * answers still in flight carry `Connection: close` too, so that keep-alive clients do not hold it open.
 */
async function drainPlugin(app: FastifyInstance): Promise<void> {
  let draining = false;

  app.decorate('drain', async function drain(delayMs: number) {
    if (draining) return;
    draining = true;
    // Registered only now, so a running service's readiness report is unchanged.
    app.health.register('shutdown', async function notShuttingDown() {
      throw new Error('shutting down');
    });
    app.log.info({ delayMs }, 'draining: not ready, closing each kept-alive connection after its answer');
    if (delayMs > 0) await sleep(delayMs);
  });

  app.addHook('preClose', async function markClosing() {
    draining = true;
  });
  // A callback hook, not an async one: it runs on every answer, and an async hook costs a promise each time.
  app.addHook('onSend', function closeConnectionWhenDraining(_request, reply, payload, done) {
    if (draining) reply.header('connection', 'close');
    done(null, payload);
  });
}

// `app.health` (kit-health, registered later) is used only once draining starts.
export const drain = fp(drainPlugin, { name: 'kit-drain', fastify: '5.x' });
