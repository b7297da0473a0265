import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { patchRequestQueue } from '@platform/kit/kafkajs-patch';
import { Kafka, logLevel } from 'kafkajs';
import type { Component } from './component';
import { fetchMavenJars } from './maven';
import { dirs, packageRoot } from './paths';
import { isAlive, readPid, run, startDaemon, stopDaemon, waitUntilReady } from './process';

export interface KafkaOptions {
  /** false: always run a private instance here, even when KAFKA_BROKERS is set (tests that stop and start it). */
  useEnv?: boolean;
  port?: number;
  /** Address the broker listens on and advertises (default 127.0.0.1; local-cluster: the pod bridge's). */
  host?: string;
  controllerPort?: number;
  /** Holds config, data, pid and log; separate instances need separate folders. */
  runDir?: string;
  heap?: string;
  /**
   * More JVM options, after the defaults, which they override (benchmarks compare JIT settings and collectors:
   * `-XX:TieredStopAtLevel=4 -XX:+UseG1GC` is the JVM's own default).
   */
  jvmOptions?: string[];
  /** More server.properties lines, after the defaults, which they override (`num.io.threads=2`). */
  properties?: string[];
}

/** Fetches the broker jars from Maven Central once (through a small pom) into the local cache. */
export async function installKafka(): Promise<void> {
  await fetchMavenJars('Kafka', path.join(packageRoot, 'kafka', 'pom.xml'), dirs.kafkaLibs);
}

export function createKafka(options: KafkaOptions = {}): Component {
  const external = options.useEnv === false ? undefined : process.env.KAFKA_BROKERS;
  const port = options.port ?? 19092;
  const controllerPort = options.controllerPort ?? port + 1;
  const runDir = options.runDir ?? path.join(dirs.run, 'kafka');
  const spec = { name: 'kafka', runDir };
  const host = options.host ?? '127.0.0.1';
  const url = external ?? `${host}:${port}`;

  function probe(): Promise<boolean> {
    return probeKafka(url.split(','));
  }

  function writeConfig(): string {
    const dataDir = path.join(runDir, 'data');
    const config = [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      `listeners=PLAINTEXT://${host}:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://${host}:${port}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      `log.dirs=${dataDir}`,
      'num.partitions=1',
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=4',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      'auto.create.topics.enable=false',
      'log.retention.hours=24',
      // A local platform's few dozen connections and few hundred requests a second need no more; the defaults
      // (3 network, 8 I/O threads) only add context switches on a small machine.
      'num.network.threads=1',
      'num.io.threads=2',
      ...(options.properties ?? []),
    ].join('\n');
    fs.mkdirSync(runDir, { recursive: true });
    fs.writeFileSync(path.join(runDir, 'server.properties'), `${config}\n`);
    fs.writeFileSync(
      path.join(runDir, 'log4j.properties'),
      [
        'log4j.rootLogger=WARN, stdout',
        'log4j.logger.kafka.server.KafkaServer=INFO',
        'log4j.logger.kafka.server.KafkaRaftServer=INFO',
        'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
        'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
        'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
      ].join('\n'),
    );
    return dataDir;
  }

  const jvmOptions = options.jvmOptions ?? [];

  function java(mainClass: string, args: string[]): [string, string[]] {
    return [
      'java',
      [
        `-Xmx${options.heap ?? '512m'}`,
        '-Xms128m',
        // A local broker's CPU (docs/benchmarks.md, "the local Kafka broker"): the client JIT only, whose code is
        // good enough for a few hundred requests a second and which never spends seconds of CPU on C2 compilations
        // after each start, and the serial collector, whose pauses are short on a heap this small and which keeps
        // no concurrent GC threads busy. Options may choose another collector (the JVM refuses two).
        '-XX:TieredStopAtLevel=1',
        ...(jvmOptions.some((o) => /^-XX:\+Use\w+GC$/.test(o)) ? [] : ['-XX:+UseSerialGC']),
        ...jvmOptions,
        '-Djava.awt.headless=true',
        `-Dlog4j.configuration=file:${path.join(runDir, 'log4j.properties')}`,
        '-cp',
        `${dirs.kafkaLibs}/*`,
        mainClass,
        ...args,
      ],
    ];
  }

  return {
    name: 'kafka',
    url,
    external: external !== undefined,
    dataDirs: [path.join(runDir, 'data')],
    install: installKafka,
    probe,
    async start() {
      if (isAlive(readPid(spec)) && (await probe())) return;
      await installKafka();
      const dataDir = writeConfig();
      const properties = path.join(runDir, 'server.properties');
      if (!fs.existsSync(path.join(dataDir, 'meta.properties'))) {
        // KRaft storage is formatted once with a cluster id; restarts reuse it and keep their data.
        // `--cluster-id=<id>` in one argument: a base64url id may start with '-', which would read as an option.
        const clusterId = randomBytes(16).toString('base64url');
        const [cmd, args] = java('kafka.tools.StorageTool', [
          'format',
          `--cluster-id=${clusterId}`,
          '--config',
          properties,
        ]);
        await run(cmd, args);
      }
      const [cmd, args] = java('kafka.Kafka', [properties]);
      startDaemon({ ...spec, command: cmd, args, cwd: runDir });
      await waitUntilReady(spec, probe, 90_000);
    },
    async stop() {
      await stopDaemon(spec, 30_000);
    },
  };
}

// The probe's admin client would otherwise spin kafkajs' 1 ms timer (and Node 24's TimeoutNegativeWarning) while
// connected, as the services' clients would without the kit's patch.
patchRequestQueue();

export async function probeKafka(brokers: string[]): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'local-infra-probe',
    brokers,
    connectionTimeout: 1_000,
    requestTimeout: 2_000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
