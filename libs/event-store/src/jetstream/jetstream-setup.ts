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
  | 'max_bytes'
  | 'max_age'
>;

/**
 * The stream configuration is ours whatever server we talk to: file storage,
 * replicas and limits from the setup's configuration (one replica by default),
 * nothing ever discarded (a full store refuses new events rather than dropping
 * old ones), direct get for cheap head lookups.
 */
export function eventStreamConfig(c: ResolvedJetStreamConfig): OurStreamConfig {
  return {
    name: c.streamName,
    subjects: [`${c.subjectPrefix}.>`],
    storage: StorageType.File,
    num_replicas: c.replicas,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.New,
    max_bytes: c.maxBytes,
    max_age: nanos(c.maxAgeMs),
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
    num_replicas: c.replicas,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    duplicate_window: nanos(60_000),
    allow_direct: true,
    max_msgs_per_subject: 1,
    deny_delete: false,
    deny_purge: false,
    max_bytes: -1,
    max_age: 0,
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

/**
 * What an application checks at start-up (it has no stream-admin rights): the stream
 * exists, takes our subjects, keeps what we need. Fails with what is missing.
 */
export async function checkStream(jsm: JetStreamManager, wanted: OurStreamConfig): Promise<void> {
  const existing = await jsm.streams.info(wanted.name).catch((error: unknown) => {
    if (error instanceof JetStreamApiError && error.code === 10059) return undefined;
    throw error;
  });
  const setup = 'the setup role provisions it: `npm run setup` (scripts/setup-streams.mjs), or the setup Job';
  if (!existing)
    throw new EventStoreUnavailableError(`JetStream stream ${wanted.name} does not exist; ${setup}`);
  const c = existing.config;
  const missing = [
    ...wanted.subjects.filter((s) => !(c.subjects ?? []).includes(s)).map((s) => `subject ${s}`),
    ...(c.allow_direct ? [] : ['allow_direct: true']),
    ...(c.storage === wanted.storage ? [] : [`${wanted.storage} storage`]),
    ...(c.max_msgs_per_subject === wanted.max_msgs_per_subject
      ? []
      : [`max_msgs_per_subject: ${wanted.max_msgs_per_subject}`]),
    ...(c.discard === wanted.discard ? [] : [`discard: ${wanted.discard}`]),
  ];
  if (missing.length > 0) {
    throw new EventStoreUnavailableError(
      `JetStream stream ${wanted.name} lacks ${missing.join(', ')}; ${setup}`,
    );
  }
}
