import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { subjects, type HandOffReply, type Reply } from '#contracts';
import { eventually, testNatsIdentity } from '#event-store/testing';
import { createSigner, generateSigningKey, publicKeyRecord, signRevocationNotice } from '#protocol';
import { eventTypes } from '../test/chain-audit.js';
import type { IssuedChain } from '../test/in-memory-broker.js';
import { type RunningVendor, VendorStack } from '../test/vendor-stack.js';

async function spend(vendor: RunningVendor, issued: IssuedChain, index: number, resource = `r-${index}`) {
  const proof = issued.chain.spendProof(index, 1);
  const response = await vendor.http('POST', '/spends', { body: { ...proof, count: 1, resource } });
  return { status: response.status, code: response.json<{ code?: string }>().code };
}

/**
 * What an attacker with nothing but a NATS connection tried (issue 12), against real NATS,
 * JetStream and Redis: every forged message is refused or dropped, and nothing is appended.
 */
describe('nothing on the bus is believed without its sender’s key', () => {
  let stack: VendorStack;
  let a: RunningVendor;
  let b: RunningVendor;
  let attacker: NatsConnection;
  const rogue = createSigner(generateSigningKey('rogue-1'));

  beforeAll(async () => {
    stack = await VendorStack.start();
    a = await stack.vendor('fa');
    b = await stack.vendor('fb');
    // The attacker holds the test identity, which may publish and subscribe anything: what
    // stops it here is the messages' signatures, not the server's permissions.
    attacker = await connect({ ...testNatsIdentity('test'), servers: stack.nats.url, name: 'attacker' });
  });
  afterAll(async () => {
    await attacker?.close();
    await stack?.dispose();
  });

  it('a rogue answer on the broker-keys subject and a ChainIssued signed by its key buy no content', async () => {
    // The attacker answers the keys request (no queue group: it hears every request) with its own key too.
    attacker.subscribe(subjects.brokerKeys, {
      callback: (_, msg) => {
        const { id } = msg.json<{ id: string }>();
        const keys = [...stack.broker.publicKeys(), publicKeyRecord(rogue, 'broker')];
        msg.respond(JSON.stringify({ id, response: { ok: true, value: { keys } }, isDisposed: true }));
      },
    });
    await attacker.flush();
    const forged = await stack.broker.issue({ signer: rogue });
    expect(await spend(a, forged, 1)).toEqual({ status: 422, code: 'TOUCHSTONE.SIGNATURE_INVALID' });
    expect(await eventTypes(stack.store, forged.chain.chainId)).toEqual(['ChainIssued']);
    // A real chain still works.
    const honest = await stack.broker.issue();
    expect((await spend(a, honest, 1)).status).toBe(201);
  });

  it('a plain request on a holder’s hand-off subject gets HANDOFF.UNSIGNED and moves nothing', async () => {
    const issued = await stack.broker.issue();
    expect((await spend(a, issued, 1)).status).toBe(201);
    for (const toVendor of ['ghost_thief', 'fb']) {
      const msg = await attacker.request(
        subjects.handOff('fa'),
        JSON.stringify({ chainId: issued.chain.chainId, toVendor }),
        { timeout: 2_000 },
      );
      expect(msg.json<Reply<HandOffReply>>()).toMatchObject({
        ok: false,
        error: { code: 'HANDOFF.UNSIGNED' },
      });
    }
    expect(await eventTypes(stack.store, issued.chain.chainId)).toEqual(['ChainIssued', 'CoinsSpent']);
    expect((await spend(a, issued, 2)).status).toBe(201);
  });

  it('a signed hand-off request captured on the wire and sent again is HANDOFF.REPLAYED', async () => {
    const issued = await stack.broker.issue();
    expect((await spend(a, issued, 1)).status).toBe(201);
    const captured: Uint8Array[] = [];
    const tap = attacker.subscribe(subjects.handOff('fa'), {
      callback: (_, msg) => {
        captured.push(msg.data);
      },
    });
    await attacker.flush();
    expect((await spend(b, issued, 2)).status).toBe(201);
    await eventually('the request was seen on the wire', () => captured.length === 1);
    tap.unsubscribe();
    const replay = await attacker.request(subjects.handOff('fa'), captured[0], { timeout: 2_000 });
    expect(replay.json<Reply<HandOffReply>>()).toMatchObject({
      ok: false,
      error: { code: 'HANDOFF.REPLAYED' },
    });
    expect(await eventTypes(stack.store, issued.chain.chainId)).toEqual([
      'ChainIssued',
      'CoinsSpent',
      'IndexHandedOff',
      'CoinsSpent',
    ]);
  });

  it('an unsigned or forged revocation notice is dropped: the vendor keeps serving the chain', async () => {
    const issued = await stack.broker.issue();
    const chainId = issued.chain.chainId;
    expect((await spend(a, issued, 1)).status).toBe(201);
    const at = new Date().toISOString();
    const body = { kind: 'chain' as const, id: chainId, reason: 'forged', at };
    await stack.stub.revoke(body);
    await stack.stub.revoke(signRevocationNotice({ ...body, brokerKeyId: rogue.keyId }, rogue));
    // The broker's key id, another key.
    const lookalike = createSigner(generateSigningKey(stack.broker.signer.keyId));
    await stack.stub.revoke(signRevocationNotice({ ...body, brokerKeyId: lookalike.keyId }, lookalike));
    // A genuine notice for another chain, sent after the forgeries on the same connection, arrives after them.
    const other = await stack.broker.issue();
    const { signer } = stack.broker;
    await stack.stub.revoke(
      signRevocationNotice(
        { kind: 'chain', id: other.chain.chainId, reason: 'real', at, brokerKeyId: signer.keyId },
        signer,
      ),
    );
    await eventually(
      'the genuine notice arrived',
      () => a.engine.revocations.chain(other.chain.chainId) !== undefined,
    );
    expect(a.engine.revocations.chain(chainId)).toBeUndefined();
    expect((await spend(a, issued, 2)).status).toBe(201);
    expect(await spend(a, other, 1)).toEqual({ status: 402, code: 'CHAIN.REVOKED' });
    // Dropped with a log line (each of the two vendors logs each of the three forgeries).
    expect(
      stack.logLines.filter((l) => l.includes('dropped a revocation notice')).length,
    ).toBeGreaterThanOrEqual(3);
  });
});
