import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstreamManager } from '@nats-io/jetstream';
import { headers } from '@nats-io/nats-core';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { connectTestStore, testNatsOptions } from '#event-store/testing';
import { anEvent } from '#event-store/testing';
import type { JetStreamEventStore } from './jetstream-event-store.js';

/**
 * The authorization of scripts/nats-auth.mjs, against the real server of the local stack: each
 * role is refused what it may not do (the server answers "Permissions Violation"), and can do
 * what its service needs. Subject prefixes are this test's own, as every test's are.
 */
const unique = randomUUID().replaceAll('-', '').slice(0, 10);
const p = `perm${unique}`; // NATS_SUBJECT_PREFIX
const e = `perm${unique}.events`; // EVENT_STORE_SUBJECT_PREFIX
const stream = `TEST_PERM_${unique}`;
const VIOLATION = /Permissions Violation/;

const open: NatsConnection[] = [];
async function as(role: string): Promise<NatsConnection> {
  const nc = await connect({ ...testNatsOptions(role), name: `perm-${role}` });
  open.push(nc);
  return nc;
}

/** A plain publish: the server refuses it asynchronously, on the connection's status stream. */
async function publishRefused(nc: NatsConnection, subject: string): Promise<boolean> {
  const refused = (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'error' && VIOLATION.test(String(s.error)) && String(s.error).includes(subject))
        return true;
    }
    return false;
  })();
  nc.publish(subject, 'forged');
  await nc.flush();
  return Promise.race([refused, new Promise<boolean>((r) => setTimeout(() => r(false), 1_000))]);
}

/** A subscription the server refuses ends with a permissions error. */
async function subscribeRefused(nc: NatsConnection, subject: string, queue?: string): Promise<boolean> {
  const sub = nc.subscribe(subject, queue ? { queue } : {});
  const ended = (async () => {
    try {
      for await (const _ of sub) return false;
      return false;
    } catch (error) {
      return VIOLATION.test(String(error));
    }
  })();
  await nc.flush();
  return Promise.race([ended, new Promise<boolean>((r) => setTimeout(() => r(false), 1_000))]);
}

/** A JetStream request (append, stream admin): refused requests fail with the permissions error. */
async function requestRefused(nc: NatsConnection, subject: string, body = '{}'): Promise<boolean> {
  try {
    await nc.request(subject, body, { timeout: 1_000 });
    return false;
  } catch (error) {
    return VIOLATION.test(String(error));
  }
}

describe('NATS authorization: each role only does what it needs (real server)', () => {
  let store: JetStreamEventStore;
  beforeAll(async () => {
    store = await connectTestStore({ streamName: stream, subjectPrefix: e });
    await store.appendToStream('chain-c1', [anEvent('ChainIssued')]);
  });
  afterAll(async () => {
    await Promise.all(open.map((nc) => nc.close()));
    await store.deleteStreams().catch(() => undefined);
    await store.close();
  });

  it('vendor: may not serve broker subjects, another vendor’s hand-offs, or publish revocations', async () => {
    const va = await as('vendor-va');
    expect(await subscribeRefused(va, `${p}.broker.touchstone`, `${p}-broker`)).toBe(true);
    expect(await subscribeRefused(va, `${p}.broker.wallet.checkout`)).toBe(true);
    expect(await subscribeRefused(va, `${p}.broker.keys`)).toBe(true);
    expect(await subscribeRefused(va, `${p}.vendor.vb.handoff`, `${p}-vendor-vb`)).toBe(true);
    expect(await publishRefused(va, `${p}.broker.revocation`)).toBe(true);
  });

  it('vendor: may not read other roles’ reply inboxes (checkout tokens, paywords)', async () => {
    const va = await as('vendor-va');
    expect(await subscribeRefused(va, '_INBOX.>')).toBe(true);
    expect(await subscribeRefused(va, '_INBOX_broker.>')).toBe(true);
    expect(await subscribeRefused(va, '_INBOX_vendor-vb.>')).toBe(true);
    expect(await subscribeRefused(va, '>')).toBe(true);
  });

  it('vendor: may append to chain streams only, and has no stream-admin rights', async () => {
    const va = await as('vendor-va');
    for (const category of [
      'customer',
      'purchase',
      'vendor',
      'walletseed',
      'bankaccount',
      'revocation',
      'opaccount',
    ]) {
      expect(await requestRefused(va, `${e}.${category}.${category}-x`)).toBe(true);
    }
    for (const category of ['redemption', 'redeemed', 'payout']) {
      expect(await requestRefused(va, `${e}.${category}.${category}-x`)).toBe(true);
    }
    expect(await requestRefused(va, `checkpoints.${e}.broker-revocation-broadcast`, '42')).toBe(true);
    for (const api of ['CREATE', 'UPDATE', 'DELETE', 'PURGE']) {
      expect(await requestRefused(va, `$JS.API.STREAM.${api}.${stream}`)).toBe(true);
    }
    // Allowed: a chain event, answered by the stream with an acknowledgement. Its header claims a
    // customer stream: the subject, which the server checked, decides (see the auditor's test).
    const h = headers();
    for (const [k, v] of [
      ['NetPay-Event-Id', randomUUID()],
      ['NetPay-Event-Type', 'CustomerRegistered'],
      ['NetPay-Stream', 'customer-victim'],
      ['NetPay-Revision', '0'],
      // As the store appends (readers skip what skipped the server's predecessor check).
      ['Nats-Expected-Last-Subject-Sequence', '0'],
    ] as const) {
      h.set(k, v);
    }
    const ack = await va.request(`${e}.chain.chain-c2`, '{"data":{},"metadata":{}}', {
      timeout: 2_000,
      headers: h,
    });
    expect(ack.json<{ seq?: number }>().seq).toBeGreaterThan(0);
  });

  it('vendor: the event store says at once that a non-chain append is refused, and stores nothing', async () => {
    const { JetStreamEventStore } = await import('./jetstream-event-store.js');
    const vendorStore = await JetStreamEventStore.connect({
      ...testNatsOptions('vendor-va'),
      streamName: stream,
      subjectPrefix: e,
    });
    try {
      await expect(
        vendorStore.appendToStream('customer-victim', [anEvent('CustomerRegistered')]),
      ).rejects.toThrow(/Permissions Violation for Publish to "perm\w+\.events\.customer\.customer-victim"/);
      expect(await vendorStore.readStream('customer-victim')).toEqual([]);
      await vendorStore.appendToStream('chain-c3', [anEvent('ChainIssued')]);
      expect((await vendorStore.readStream('chain-c3')).map((x) => x.type)).toEqual(['ChainIssued']);
    } finally {
      await vendorStore.close();
    }
  });

  it('vendor: serves its own hand-off subject and asks the broker and other vendors', async () => {
    const va = await as('vendor-va');
    const vb = await as('vendor-vb');
    const sub = vb.subscribe(`${p}.vendor.vb.handoff`, { queue: `${p}-vendor-vb` });
    void (async () => {
      for await (const m of sub) m.respond('ok');
    })();
    await vb.flush();
    const reply = await va.request(`${p}.vendor.vb.handoff`, '{}', { timeout: 2_000 });
    expect(reply.string()).toBe('ok');
    const broker = await as('broker');
    const served = broker.subscribe(`${p}.broker.touchstone`, { queue: `${p}-broker` });
    void (async () => {
      for await (const m of served) m.respond('touchstone');
    })();
    await broker.flush();
    expect((await va.request(`${p}.broker.touchstone`, '{}', { timeout: 2_000 })).string()).toBe(
      'touchstone',
    );
  });

  it('broker: may not serve vendors’ hand-offs, write redemption records or administer streams', async () => {
    const broker = await as('broker');
    expect(await subscribeRefused(broker, `${p}.vendor.va.handoff`)).toBe(true);
    expect(await subscribeRefused(broker, '_INBOX_vendor-va.>')).toBe(true);
    for (const category of ['redemption', 'redeemed', 'payout']) {
      expect(await requestRefused(broker, `${e}.${category}.${category}-x`)).toBe(true);
    }
    for (const api of ['CREATE', 'UPDATE', 'DELETE', 'PURGE']) {
      expect(await requestRefused(broker, `$JS.API.STREAM.${api}.${stream}`)).toBe(true);
    }
  });

  it('redemption worker: writes its own streams only, serves nothing', async () => {
    const redemption = await as('redemption');
    for (const category of ['chain', 'customer', 'purchase', 'vendor', 'walletseed', 'revocation']) {
      expect(await requestRefused(redemption, `${e}.${category}.${category}-x`)).toBe(true);
    }
    expect(await subscribeRefused(redemption, `${p}.broker.wallet.checkout`)).toBe(true);
    expect(await publishRefused(redemption, `${p}.broker.revocation`)).toBe(true);
    expect(await requestRefused(redemption, `$JS.API.STREAM.DELETE.${stream}`)).toBe(true);
  });

  it('auditor: reads the store, writes nothing', async () => {
    const auditor = await as('auditor');
    for (const category of ['chain', 'customer', 'redemption', 'payout']) {
      expect(await requestRefused(auditor, `${e}.${category}.${category}-x`)).toBe(true);
    }
    expect(await requestRefused(auditor, `checkpoints.${e}.audit`, '1')).toBe(true);
    expect(await publishRefused(auditor, `${p}.broker.revocation`)).toBe(true);
    expect(await subscribeRefused(auditor, `${p}.broker.>`)).toBe(true);
    for (const api of ['CREATE', 'UPDATE', 'DELETE', 'PURGE']) {
      expect(await requestRefused(auditor, `$JS.API.STREAM.${api}.${stream}`)).toBe(true);
    }
    // Allowed: reading through the adapter, as the auditor CLI does.
    const { JetStreamEventStore } = await import('./jetstream-event-store.js');
    const reader = await JetStreamEventStore.connect({
      ...testNatsOptions('auditor'),
      streamName: stream,
      subjectPrefix: e,
    });
    try {
      expect((await reader.readStream('chain-c1')).map((x) => x.type)).toEqual(['ChainIssued']);
      // The vendor's event with a forged stream header is a chain-c2 event, not a customer's.
      expect(await reader.readStream('customer-victim')).toEqual([]);
      const all = await reader.readAll();
      expect(all.map((x) => x.streamName)).toEqual(['chain-c1', 'chain-c2', 'chain-c3']);
    } finally {
      await reader.close();
    }
  });

  it('applications only check streams: a role cannot create a missing one, and says what is missing', async () => {
    const { JetStreamEventStore } = await import('./jetstream-event-store.js');
    await expect(
      JetStreamEventStore.connect({
        ...testNatsOptions('broker'),
        streamName: `TEST_PERM_MISSING_${unique}`,
        subjectPrefix: `perm${unique}.missing`,
      }),
    ).rejects.toThrow(/does not exist; the setup role provisions it/);
    const setup = await as('setup');
    const jsm = await jetstreamManager(setup);
    expect((await jsm.streams.info(stream)).config.name).toBe(stream);
    expect(await subscribeRefused(setup, `${p}.broker.touchstone`)).toBe(true);
    expect(await publishRefused(setup, `${e}.chain.chain-c1`)).toBe(true);
  });
});
