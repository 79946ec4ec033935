import {
  DiscardPolicy,
  JetStreamApiError,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { EventStoreUnavailableError } from '../errors.js';
import type { ResolvedJetStreamConfig } from './jetstream-config.js';

type OurStreamConfig = Pick<
  StreamConfig,
  | 'name'
  | 'subjects'
  | 'storage'
  | 'num_replicas'
  | 'retention'
  | 'discard'
  | 'duplicate_window'
  | 'allow_direct'
  | 'max_msgs_per_subject'
  | 'deny_delete'
  | 'deny_purge'
>;

/**
 * The stream configuration is ours whatever server we talk to: file storage,
 * one replica (one server here), nothing ever discarded (a full store refuses
 * new events rather than dropping old ones), direct get for cheap head lookups.
 */
export function eventStreamConfig(c: ResolvedJetStreamConfig): OurStreamConfig {
  return {
    name: c.streamName,
    subjects: [`${c.subjectPrefix}.>`],
    storage: StorageType.File,
    num_replicas: 1,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.New,
    duplicate_window: nanos(c.duplicateWindowMs),
    allow_direct: true,
    max_msgs_per_subject: -1,
    deny_delete: true,
    deny_purge: true,
  };
}

/** One subject per subscriber, only its last checkpoint kept (what a KV bucket is underneath). */
export function checkpointStreamConfig(c: ResolvedJetStreamConfig): OurStreamConfig {
  return {
    name: c.checkpointStreamName,
    subjects: [`${c.checkpointPrefix}.>`],
    storage: StorageType.File,
    num_replicas: 1,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    duplicate_window: nanos(60_000),
    allow_direct: true,
    max_msgs_per_subject: 1,
    deny_delete: false,
    deny_purge: false,
  };
}

/** Creates the stream, or brings an existing one to our configuration. Safe to run from many processes at once. */
export async function ensureStream(jsm: JetStreamManager, wanted: OurStreamConfig): Promise<void> {
  const existing = await jsm.streams.info(wanted.name).catch((error: unknown) => {
    if (error instanceof JetStreamApiError && error.code === 10059) return undefined;
    throw error;
  });
  if (!existing) {
    try {
      await jsm.streams.add(wanted);
      return;
    } catch (error) {
      // Another process created it in between (with a config that may differ): fall through to compare.
      if (!(error instanceof JetStreamApiError)) throw error;
    }
  }
  const current = existing ?? (await jsm.streams.info(wanted.name));
  if (current.config.storage !== wanted.storage) {
    throw new EventStoreUnavailableError(
      `JetStream stream ${wanted.name} uses ${current.config.storage} storage; it must be ${wanted.storage}. ` +
        'Storage cannot be changed in place: migrate the events to a new stream.',
    );
  }
  const differs = (Object.keys(wanted) as (keyof OurStreamConfig)[]).some(
    (key) => JSON.stringify(current.config[key]) !== JSON.stringify(wanted[key]),
  );
  if (differs) {
    const { name, storage: _storage, ...changeable } = wanted;
    await jsm.streams.update(name, { ...current.config, ...changeable });
  }
}
