import { writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { JetStreamEventStore } from '#event-store';
import { connectTestStore, testNatsEnv } from '#event-store/testing';
import { streams } from '#events';
import { generateChain, type Chain } from '#protocol';
import { runCli } from '../../auditor/src/cli/run.js';
import { BrokerKeyRing } from '../../broker/src/keys/broker-key-ring.js';
import type { CashOutAnswer } from '../../broker/src/cash-out/cash-out.handler.js';
import { buy, registerCustomer, type TestCustomer } from '../../broker/src/test/scenario.js';
import { type BrokeredVendor, RealBrokerStack } from '../test/real-broker-stack.js';

const pay = (chain: Chain, index: number, coins: number) => {
  const position = index + coins - 1;
  return { 'x-netpay-payment': `${chain.chainId}.${position}.${chain.payword(position)}` };
};

/**
 * Every vendor may append to chain streams (its spends, hand-offs, claims), so the store cannot
 * stop a dishonest vendor from appending a spend whose payword does not hash down to the chain.
 * Here one (its own NATS identity, the ordinary store) appends a `CoinsSpent` up to the chain's
 * end with a made-up word to another customer's chain: no fold believes it, the customer keeps
 * spending and cashes out the full unspent value, and the auditor names the forgery (real
 * nats-server, the vendor role's own rights).
 */
describe('a forged spend in a chain stream (real broker, vendors, auditor; vendor rights)', () => {
  let stack: RealBrokerStack;
  let honest: BrokeredVendor;
  let evil: BrokeredVendor;
  let attacker: JetStreamEventStore;
  let customer: TestCustomer;
  const keysFile = join(tmpdir(), `netpay-forged-spend-keys-${randomUUID().slice(0, 8)}.json`);

  beforeAll(async () => {
    stack = await RealBrokerStack.start();
    [honest, evil] = await Promise.all([stack.vendor('news_a'), stack.vendor('music_b')]);
    await Promise.all([honest.registration.done, evil.registration.done]);
    attacker = await connectTestStore(
      {
        servers: stack.nats.url,
        streamName: `TEST_VB_${stack.unique}`,
        subjectPrefix: `test.vb${stack.unique}.events`,
      },
      'vendor-music_b',
    );
    customer = await registerCustomer(stack.broker.http, 100_000);
    const ring = stack.broker.app.get(BrokerKeyRing);
    await writeFile(keysFile, JSON.stringify({ currentKeyId: ring.currentKeyId, keys: ring.publicKeys() }));
  });
  afterAll(async () => {
    await attacker?.close();
    await stack.dispose();
    await rm(keysFile, { force: true });
  });

  it('a CoinsSpent up to the chain end with a wrong payword changes nothing, and the auditor names it', async () => {
    const bought = (await buy(stack.broker.http, customer, { coins: 20, wallet: 'client' })).json<{
      chains: { chainId: string; length: number; seed: string }[];
    }>();
    const c = bought.chains[0]!;
    const chain = generateChain({ chainId: c.chainId, length: c.length, alg: 'sha256', seed: c.seed });
    expect((await honest.http('GET', '/articles/a1', { headers: pay(chain, 1, 2) })).status).toBe(200);

    const stream = streams.chain(c.chainId);
    const [last] = await attacker.readStream(stream, { direction: 'backwards', maxCount: 1 });
    await attacker.appendToStream(
      stream,
      [
        {
          id: randomUUID(),
          type: 'CoinsSpent',
          version: 1,
          data: {
            chainId: c.chainId,
            vendorId: 'music_b',
            fromIndex: 3,
            toIndex: c.length,
            payword: 'ab'.repeat(32),
            receiptId: 'forged',
            at: new Date().toISOString(),
          },
          metadata: { correlationId: 'forged', causationId: 'forged', actor: 'vendor:music_b' },
        },
      ],
      { expectedRevision: last!.revision },
    );

    // The victim still spends, at the vendor that knew the chain and at one that reads it afresh.
    const again = await honest.http('GET', '/articles/a2', { headers: pay(chain, 3, 2) });
    expect({ status: again.status, body: again.text }).toMatchObject({ status: 200 });
    const elsewhere = await evil.http('GET', '/clips/m1', { headers: pay(chain, 5, 5) });
    expect({ status: elsewhere.status, body: elsewhere.text }).toMatchObject({ status: 200 });

    // Cash-out refunds every unspent coin: 9 were spent.
    const cashOut = await stack.broker.http('POST', `/chains/${c.chainId}/cash-out`, {
      token: customer.token,
    });
    expect({ status: cashOut.status, body: cashOut.text }).toMatchObject({ status: 201 });
    const answer = cashOut.json<CashOutAnswer>();
    expect(answer).toMatchObject({ chainId: c.chainId, closedAtIndex: 10, coins: c.length - 9 });
    expect(answer.paymentRef).toBeDefined();

    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: () => undefined, now: () => performance.now() };
    const env = {
      EVENT_STORE: 'jetstream',
      ...testNatsEnv('auditor', stack.nats.url),
      EVENT_STORE_STREAM: `TEST_VB_${stack.unique}`,
      EVENT_STORE_SUBJECT_PREFIX: `test.vb${stack.unique}.events`,
    };
    expect(await runCli(['--json', '--broker-keys', keysFile], env, io)).toBe(1);
    const report = JSON.parse(out.join('')) as {
      violations: { code: string; stream: string; detail: string }[];
    };
    const forged = report.violations.filter((v) => v.code === 'R1.PAYWORD_DOES_NOT_HASH');
    expect(forged.map((v) => v.stream)).toEqual([stream]);
    // Only the forged event is named (music_b also did not hold the chain); the honest spends,
    // hand-off and cash-out after it are judged on the true chain and pass.
    expect(report.violations.map((v) => [v.code, v.stream])).toEqual([
      ['R2.SPEND_BY_NON_HOLDER', stream],
      ['R1.PAYWORD_DOES_NOT_HASH', stream],
    ]);
  }, 60_000);
});
