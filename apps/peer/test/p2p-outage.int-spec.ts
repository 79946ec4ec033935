import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EventStore } from '#event-store';
import { connectTestStore, uniqueName } from '#event-store/testing';
import { p2pStreams } from '#events';
import { Audit } from '../../auditor/src/core/index.js';
import { PrivateNats } from '../../vendor/test/private-nats.js';
import { file, startCis, startPeer, type TestCis, type TestPeer } from './p2p-harness.js';

// Item 4 with a real outage: the S-peer's NATS server is killed (SIGKILL) mid-day. The S-peer
// keeps selling on its journal; when the server is back, redemption uploads what the store lacks.
const streamName = uniqueName('P2POUT');
const subjectPrefix = `${streamName.toLowerCase()}.events`;
let nats: PrivateNats;
const stores: EventStore[] = [];
let cis: TestCis;
const peers: TestPeer[] = [];

async function store(role: string): Promise<EventStore> {
  const s = await connectTestStore(
    { servers: nats.url, streamName, subjectPrefix, requestTimeoutMs: 2_000 },
    role,
  );
  stores.push(s);
  return s;
}

beforeAll(async () => {
  nats = await PrivateNats.start();
}, 60_000);

afterAll(async () => {
  for (const p of peers) await p.close();
  await cis?.close();
  for (const s of stores) await s.close().catch(() => undefined);
  await nats?.stop();
});

describe('an S-peer loses the event store and the CIS, and keeps selling', () => {
  it('sells on its journal during the outage; what it earned reaches the CIS at redemption', async () => {
    if (!nats.private) {
      console.log('SKIPPED: no nats-server binary for a private server (apt-get install nats-server)');
      return;
    }
    cis = await startCis({ store: await store('cis') });
    const s = await startPeer({
      name: 'pa',
      cis,
      store: await store('peer-pa'),
      content: [file('pa-clip.mp4', 2)],
    });
    const r = await startPeer({ name: 'pb', cis, content: [] });
    peers.push(s, r);
    await r.core.buy(10);
    const before = await r.core.fetch(s.url, 'pa-clip.mp4');
    expect(before.sale.receipt.recorded).toBe('store');

    await nats.halt();
    const during = await r.core.fetch(s.url, 'pa-clip.mp4');
    expect(during.sale.receipt).toMatchObject({ recorded: 'journal', fromIndex: 3, toIndex: 4 });
    await expect(s.core.redeem()).rejects.toThrow(); // the CIS cannot reach its store either

    await nats.resume();
    let summary: Awaited<ReturnType<typeof s.core.redeem>> | undefined;
    for (let i = 0; i < 60 && !summary; i++) {
      summary = await s.core.redeem().catch(async () => {
        await new Promise((done) => setTimeout(done, 500));
        return undefined;
      });
    }
    expect(summary).toMatchObject({ coins: 4, refused: [] });
    const reader = await store('auditor');
    const chain = await reader.readStream(p2pStreams.chain(before.payment.statement.chainId));
    expect(chain.map((e) => (e.data as { via: string }).via)).toEqual(['online', 'upload']);
    const audit = new Audit({ cisKeys: cis.keys });
    for (const e of await reader.readAll()) audit.feed(e);
    expect(audit.finish().violations).toEqual([]);
  }, 180_000);
});
