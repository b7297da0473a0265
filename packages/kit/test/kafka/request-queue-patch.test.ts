import { version } from 'kafkajs/package.json';
import RequestQueue from 'kafkajs/src/network/requestQueue';
import { createProducer } from '@platform/kit';
import { Registry } from 'prom-client';
import { PATCHED_KAFKAJS_VERSION } from '../../src/kafka/request-queue-patch';
import { setUpKafkaFixture, type KafkaFixture } from './kafka-fixture';

let fixture: KafkaFixture;

beforeAll(async () => {
  fixture = await setUpKafkaFixture('kit-request-queue');
});

afterAll(async () => {
  await fixture?.close();
});

test('kafkajs is the release the request-queue patch was written for', () => {
  // A new kafkajs: see whether tulios/kafkajs#1751 is fixed there, then drop or port request-queue-patch.ts.
  expect(version).toBe(PATCHED_KAFKAJS_VERSION);
});

test('when a connected client has nothing to send, then its connections do not wake up every millisecond', async () => {
  const checks = jest.spyOn(RequestQueue.prototype, 'checkPendingRequests');
  const producer = createProducer({ kafka: fixture.kafka, registry: new Registry() });
  await producer.connect();
  try {
    // A response has arrived (the connect's metadata and the producer id): that is what started the loop.
    await new Promise((resolve) => setTimeout(resolve, 200));
    checks.mockClear();

    await new Promise((resolve) => setTimeout(resolve, 1_000));

    // Unpatched: about a thousand checks a second per connection. Patched: only those responses cause, if any.
    expect(checks.mock.calls.length).toBeLessThan(20);
  } finally {
    checks.mockRestore();
    await producer.disconnect();
  }
});
