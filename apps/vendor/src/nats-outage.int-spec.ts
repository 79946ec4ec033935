import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateChain, type Chain } from '#protocol';
import { randomUUID } from 'node:crypto';
import { authoriseVendor, buy, registerCustomer, type TestCustomer } from '../../broker/src/test/scenario.js';
import { type BrokeredVendor, RealBrokerStack } from '../test/real-broker-stack.js';

// A short reconnect wait, so that an outage of a few seconds outlasts nats.js's default of 10
// attempts (which, at its default 2 s wait, is the ~20 s after which vendors broke for good).
const RECONNECT_WAIT_MS = 200;
const OUTAGE_MS = 6_000;

const pay = (chain: Chain, index: number, coins: number) => {
  const position = index + coins - 1;
  return { 'x-netpay-payment': `${chain.chainId}.${position}.${chain.payword(position)}` };
};

async function until(what: string, check: () => Promise<boolean>, limitMs = 60_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: not within ${limitMs} ms`);
}

describe('a NATS outage longer than the old reconnect window (private nats-server)', () => {
  let stack: RealBrokerStack;
  let a: BrokeredVendor;
  let b: BrokeredVendor;
  let customer: TestCustomer;
  const previous = process.env.NATS_RECONNECT_WAIT_MS;

  beforeAll(async () => {
    process.env.NATS_RECONNECT_WAIT_MS = String(RECONNECT_WAIT_MS);
    stack = await RealBrokerStack.start({ reconnectWaitMs: RECONNECT_WAIT_MS });
    [a, b] = await Promise.all([stack.vendor('out_a'), stack.vendor('out_b')]);
    customer = await registerCustomer(stack.broker.http, 100_000);
    await a.registration.done;
    await b.registration.done;
  });
  afterAll(async () => {
    if (previous === undefined) delete process.env.NATS_RECONNECT_WAIT_MS;
    else process.env.NATS_RECONNECT_WAIT_MS = previous;
    await stack.dispose();
  });

  it('answers 503 while NATS is away, and hand-offs and readiness come back by themselves', async () => {
    if (!stack.nats.private) return; // no nats-server binary: never stop the shared server
    const bought = (await buy(stack.broker.http, customer, { coins: 20, wallet: 'client' })).json<{
      chains: { chainId: string; length: number; seed: string }[];
    }>();
    const c = bought.chains[0]!;
    const chain = generateChain({ chainId: c.chainId, length: c.length, alg: 'sha256', seed: c.seed });
    expect((await a.http('GET', '/articles/a1', { headers: pay(chain, 1, 2) })).status).toBe(200);

    // A server-side wallet a debits from: its first debit asks the broker for a slice over NATS.
    await buy(stack.broker.http, customer, { coins: 20, wallet: 'server' });
    const token = await authoriseVendor(stack.broker.http, customer, 'out_a');

    await stack.nats.halt();
    try {
      await until(
        'vendor readiness turns 503',
        async () => (await a.http('GET', '/health/ready')).status === 503,
      );
      // A spend that cannot be recorded: 503 with the store's stable code, never 500.
      const during = await a.http('GET', '/articles/a2', { headers: pay(chain, 3, 2) });
      expect(during.status).toBe(503);
      expect(during.json()).toMatchObject({ code: 'EVENT_STORE.UNAVAILABLE' });
      // A request to the broker cannot be sent: 503 at once, not a 504 after its time-out.
      const debit = await a.http('POST', '/debits', {
        body: { checkoutToken: token, count: 1 },
        headers: { 'idempotency-key': randomUUID() },
      });
      expect(debit.status).toBe(503);
      expect(debit.json()).toMatchObject({ code: 'NATS.UNAVAILABLE' });
      await new Promise((r) => setTimeout(r, OUTAGE_MS));
    } finally {
      await stack.nats.resume();
    }

    const resumed = performance.now();
    // No restart: every process reconnects, readiness returns, and a hand-off A → B works.
    for (const [name, ready] of [
      ['vendor a', () => a.http('GET', '/health/ready')],
      ['vendor b', () => b.http('GET', '/health/ready')],
      ['broker', () => stack.broker.http('GET', '/health/ready')],
    ] as const) {
      await until(`${name} ready again`, async () => (await ready()).status === 200);
    }
    await until('a hand-off from A to B', async () => {
      const clip = await b.http('GET', '/clips/m1', { headers: pay(chain, 3, 5) });
      return clip.status === 200;
    });
    // The figure the fault suite reports: from the fault's end to normal service.
    process.stderr.write(
      `nats outage of ${OUTAGE_MS / 1000} s: service back ${((performance.now() - resumed) / 1000).toFixed(1)} s after NATS returned\n`,
    );
    // And back to A: a hand-off B → A.
    const after = await a.http('GET', '/articles/a3', { headers: pay(chain, 8, 2) });
    expect(after.status).toBe(200);
  }, 180_000);
});
