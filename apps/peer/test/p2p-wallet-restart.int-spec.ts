import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { EventStore } from '#event-store';
import { connectTestStore, uniqueName } from '#event-store/testing';
import { p2pStreams } from '#events';
import { generateSigningKey } from '#protocol';
import { file, startCis, startPeer, type TestCis, type TestPeer } from './p2p-harness.js';

// An R-peer's coins outlive its process: the wallet is kept beside the journal, and a restart
// (the same key and folder) goes on paying from the next unshown position.
const streamName = uniqueName('P2PWAL');
const subjectPrefix = `${streamName.toLowerCase()}.events`;
const stores: EventStore[] = [];
const peers: TestPeer[] = [];
let cis: TestCis;
let reader: EventStore;

async function store(role: string): Promise<EventStore> {
  const s = await connectTestStore({ streamName, subjectPrefix }, role);
  stores.push(s);
  return s;
}

beforeAll(async () => {
  reader = await store('auditor');
  cis = await startCis({ store: await store('cis') });
}, 60_000);

afterAll(async () => {
  for (const p of peers) await p.close().catch(() => undefined);
  await cis?.close();
  for (const s of stores) await s.close();
});

describe("an R-peer's wallet across a restart", () => {
  it('keeps its coins, pays on from the next position, and a purchase retried after the restart is not bought again', async () => {
    const seller = await startPeer({
      name: 'pd',
      cis,
      store: await store('peer-pd'),
      content: [file('pd-song.mp3', 2)],
    });
    peers.push(seller);
    const key = generateSigningKey('key-pe').privateKey;
    const first = await startPeer({ name: 'pe', cis, content: [], key });
    peers.push(first);
    // Kept from the start, before any purchase: a buy cut short by a crash is found again.
    const walletPath = join(first.journalDir, `wallet-${first.core.pseudonym}.json`);
    expect(existsSync(walletPath)).toBe(true);
    // A second process on the same wallet would sign from the same next index: refused.
    await expect(
      startPeer({ name: 'pe', cis, content: [], key, journalDir: first.journalDir }),
    ).rejects.toThrow(/in use by process/);
    const bought = await first.core.buy(12, 'owner-request-1');
    const paid = await first.core.fetch(seller.url, 'pd-song.mp3');
    expect(paid.sale.receipt).toMatchObject({ fromIndex: 1, toIndex: 2 });
    expect(first.core.walletRemaining).toBe(10);
    await first.close();

    const again = await startPeer({ name: 'pe', cis, content: [], key, journalDir: first.journalDir });
    peers.push(again);
    expect(again.core.pseudonym).toBe(first.core.pseudonym);
    expect(again.core.walletRemaining).toBe(10);
    // The owner's purchase retried after the restart: the same CIS purchase, nothing added.
    expect(await again.core.buy(12, 'owner-request-1')).toEqual(bought);
    expect(again.core.walletRemaining).toBe(10);
    const next = await again.core.fetch(seller.url, 'pd-song.mp3');
    expect(next.sale.receipt).toMatchObject({ fromIndex: 3, toIndex: 4 });
    expect(next.payment.statement.chainId).toBe(bought.chainId);
    // Both spends are the seller's, once each: no index was shown twice (no double-spend proof).
    const spent = await reader.readStream(p2pStreams.chain(bought.chainId));
    expect(spent.map((e) => e.type)).toEqual(['CoinsSpentAtPeer', 'CoinsSpentAtPeer']);
    expect(seller.core.journal.unreportedProofs()).toEqual([]);
    // The file holds the chain's seed: the owner's alone.
    const kept = readdirSync(first.journalDir).filter((f) => f.startsWith('wallet-') && f.endsWith('.json'));
    expect(kept).toEqual([`wallet-${first.core.pseudonym}.json`]);
    expect(statSync(join(first.journalDir, kept[0]!)).mode & 0o777).toBe(0o600);
  });
});
