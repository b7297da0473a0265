import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, ITopicConfig } from 'kafkajs';

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  /** Defaults to the broker's `default.replication.factor`. */
  replicationFactor?: number;
  configEntries?: ITopicConfig['configEntries'];
}

/** Every consumed topic has one dead-letter topic next to it, named by this rule. */
export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}

/**
 * Creates the topics, and a `<topic>.dlq` for each, unless they exist; returns the names it created.
 * Brokers run with auto-creation off, so a typo fails loudly instead of silently creating a one-partition topic.
 * An existing topic is left as it is (partitions are never changed here: that would move keys between partitions).
 */
export async function ensureTopics(admin: Admin, specs: TopicSpec[]): Promise<string[]> {
  const wanted = specs.flatMap(withDeadLetterTopic);
  // Services starting together on a fresh broker race to create the same topics; the loser sees retriable errors
  // ("does not host this topic-partition") until the winner's partitions have leaders. Try again, bounded.
  for (let attempt = 1; ; attempt++) {
    try {
      return await createMissingTopics(admin, wanted);
    } catch (err) {
      if (attempt >= 10 || (err as { retriable?: unknown }).retriable !== true) throw err;
      await sleep(250 * attempt);
    }
  }
}

async function createMissingTopics(admin: Admin, wanted: TopicSpec[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = wanted.filter((spec) => !existing.has(spec.topic));
  if (missing.length > 0) {
    // Only missing topics are requested: kafkajs skips waiting for leaders when any requested topic exists.
    // A replica racing us to create the same topic makes this return false, which is fine.
    await admin.createTopics({ topics: missing.map(toTopicConfig), waitForLeaders: true });
  }
  // Every partition must have a leader before the service produces or consumes, whoever created the topic.
  await admin.fetchTopicMetadata({ topics: wanted.map((spec) => spec.topic) });
  return missing.map((spec) => spec.topic);
}

function withDeadLetterTopic(spec: TopicSpec): TopicSpec[] {
  // One partition: dead letters are rare and read by people and replay tools, which want one timeline of failures.
  // The topic's config is not copied: a compacted or short-retention source must not lose its dead letters.
  const dlq: TopicSpec = {
    topic: deadLetterTopic(spec.topic),
    numPartitions: 1,
    replicationFactor: spec.replicationFactor,
  };
  return [spec, dlq];
}

function toTopicConfig({ topic, numPartitions, replicationFactor, configEntries }: TopicSpec): ITopicConfig {
  return {
    topic,
    numPartitions,
    ...(replicationFactor && { replicationFactor }),
    ...(configEntries && { configEntries }),
  };
}
