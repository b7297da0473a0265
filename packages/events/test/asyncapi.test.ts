import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { Topics } from '../src';
import { buildAsyncApi } from '../scripts/build-asyncapi';

const committed = path.join(__dirname, '..', '..', '..', 'contracts', 'asyncapi.yaml');

describe('AsyncAPI document', () => {
  it('when the event schemas change, then contracts/asyncapi.yaml must be regenerated (npm run contracts)', () => {
    expect(fs.readFileSync(committed, 'utf8')).toBe(buildAsyncApi());
  });

  it('when read, then it is AsyncAPI 3 with a channel per aggregate topic carrying a message and payload schema per event type', () => {
    const doc = parse(buildAsyncApi());
    expect(doc.asyncapi).toBe('3.0.0');
    for (const topic of Object.values(Topics)) {
      expect(doc.channels[topic].address).toBe(topic);
    }
    expect(Object.keys(doc.channels[Topics.Orders].messages)).toEqual([
      'OrderCreatedV1',
      'OrderConfirmedV1',
      'OrderRejectedV1',
      'OrderCancelledV1',
    ]);
    expect(doc.components.schemas.OrderCreatedV1Payload.required).toEqual([
      'orderId',
      'userId',
      'lines',
      'totalMinor',
      'currency',
    ]);
    const refs = JSON.stringify(doc).match(/#\/components\/(messages|schemas)\/\w+/g) ?? [];
    for (const ref of new Set(refs)) {
      const [, kind, name] = ref.split('/').slice(1);
      expect(doc.components[kind!][name!]).toBeDefined();
    }
  });
});
