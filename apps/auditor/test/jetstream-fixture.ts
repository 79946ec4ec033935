import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { randomBytes } from 'node:crypto';
import { connectTestStore, TEST_NATS_URL, testNatsEnv, testNatsOptions } from '#event-store/testing';
import { writeHistory, type Append } from './history.js';

export const NATS_URL = TEST_NATS_URL;

export interface TestStream {
  readonly streamName: string;
  /** Unique too: JetStream streams on one server may not share subjects. */
  readonly subjectPrefix: string;
  /** The environment the services (and the auditor) read it with. */
  readonly env: Record<string, string>;
}

/** A fresh JetStream stream holding `appends`; the servers are shared, so every name is unique. */
export async function jetStreamWith(appends: readonly Append[]): Promise<TestStream> {
  const unique = randomBytes(6).toString('hex');
  const streamName = `AUDIT_TEST_${unique}`;
  const subjectPrefix = `audit_test_${unique}`;
  const store = await connectTestStore({ streamName, subjectPrefix });
  try {
    await writeHistory(store, appends);
  } finally {
    await store.close();
  }
  const env = {
    EVENT_STORE: 'jetstream',
    ...testNatsEnv('auditor'), // the auditor reads, with its read-only identity
    EVENT_STORE_STREAM: streamName,
    EVENT_STORE_SUBJECT_PREFIX: subjectPrefix,
  };
  return { streamName, subjectPrefix, env };
}

/** Removes the streams a test created (events and checkpoints). */
export async function deleteStreams(streamNames: readonly string[]): Promise<void> {
  const nc = await connect(testNatsOptions('setup'));
  try {
    const jsm = await jetstreamManager(nc);
    for (const name of streamNames) {
      for (const stream of [name, `${name}_CHECKPOINTS`]) await jsm.streams.delete(stream).catch(() => false);
    }
  } finally {
    await nc.close();
  }
}
