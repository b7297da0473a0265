import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { createMongoServer, resetInfra, type Component } from '@platform/local-infra';
import { freePort } from '@platform/test-kit';

/** The local database, an instance of the test's own in `runDir`, on a port nobody else uses now. */
async function privateDatabase(runDir: string): Promise<Component> {
  return createMongoServer({ useEnv: false, port: await freePort(), runDir });
}

describe('infra:reset', () => {
  let runDir: string;
  const started: Component[] = [];

  beforeAll(() => {
    runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reset-test-'));
  });

  afterAll(async () => {
    for (const db of started) await db.stop();
    fs.rmSync(runDir, { recursive: true, force: true });
  });

  it('when the local data is reset, then the database stops, its data is deleted and it starts again empty', async () => {
    const db = await privateDatabase(runDir);
    started.push(db);
    await db.start();
    const before = await MongoClient.connect(db.url);
    try {
      await before.db('kept').collection('things').insertOne({ name: 'written before the reset' });
    } finally {
      await before.close();
    }

    const wiped = await resetInfra([db]);

    expect(wiped).not.toEqual([]);
    expect(wiped.filter((dir) => fs.existsSync(dir))).toEqual([]);
    expect(await db.probe()).toBe(false);
    // Same folders, fresh ports: a port freed by the reset may already be taken by another test run.
    const again = await privateDatabase(runDir);
    started.push(again);
    await again.start();
    const after = await MongoClient.connect(again.url);
    try {
      expect(await after.db('kept').collection('things').countDocuments()).toBe(0);
    } finally {
      await after.close();
    }
  }, 120_000);

  it('when a component comes from the environment, then reset neither stops it nor deletes anything', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'external-data-'));
    const stop = jest.fn(async () => undefined);
    const external: Component = {
      name: 'mongodb',
      url: 'mongodb://db.example:27017/',
      external: true,
      dataDirs: [dataDir],
      install: async () => undefined,
      start: async () => undefined,
      probe: async () => true,
      stop,
    };

    expect(await resetInfra([external])).toEqual([]);
    expect(stop).not.toHaveBeenCalled();
    expect(fs.existsSync(dataDir)).toBe(true);
    fs.rmSync(dataDir, { recursive: true });
  });
});
