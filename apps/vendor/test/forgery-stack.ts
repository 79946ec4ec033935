// What the forgery specs share (forged-spend, forged-broker-events, forged-holder-moves): the real
// broker and vendor apps on a private nats-server with authorization, a dishonest vendor's own NATS
// identity writing through the ordinary store, a customer with money, and the auditor's CLI run
// over the result with the broker's public keys.
import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JetStreamEventStore } from '#event-store';
import { connectTestStore, testNatsEnv } from '#event-store/testing';
import { generateChain, type Chain } from '#protocol';
import { runCli } from '../../auditor/src/cli/run.js';
import { BrokerKeyRing } from '../../broker/src/keys/broker-key-ring.js';
import { buy, registerCustomer, type TestCustomer } from '../../broker/src/test/scenario.js';
import { type BrokeredVendor, RealBrokerStack } from './real-broker-stack.js';

/** The `X-NetPay-Payment` header paying `coins` coins of `chain` from position `index`. */
export const pay = (chain: Chain, index: number, coins: number): Record<string, string> => {
  const position = index + coins - 1;
  return { 'x-netpay-payment': `${chain.chainId}.${position}.${chain.payword(position)}` };
};

export interface AuditViolation {
  readonly code: string;
  readonly stream: string;
  readonly detail: string;
}

export class ForgeryStack {
  private constructor(
    readonly stack: RealBrokerStack,
    readonly vendors: readonly BrokeredVendor[],
    /** The dishonest vendor's own NATS identity (`vendor-<id>`), through the ordinary store. */
    readonly attacker: JetStreamEventStore,
    readonly customer: TestCustomer,
    private readonly keysFile: string,
  ) {}

  /** Starts the broker and `vendorIds` (registered), and connects as vendor `attackerId`. */
  static async start(vendorIds: readonly string[], attackerId: string): Promise<ForgeryStack> {
    const stack = await RealBrokerStack.start();
    const vendors = await Promise.all(vendorIds.map((id) => stack.vendor(id)));
    await Promise.all(vendors.map((v) => v.registration.done));
    const attacker = await connectTestStore(
      {
        servers: stack.nats.url,
        streamName: `TEST_VB_${stack.unique}`,
        subjectPrefix: `test.vb${stack.unique}.events`,
      },
      `vendor-${attackerId}`,
    );
    const customer = await registerCustomer(stack.broker.http, 100_000);
    const keysFile = join(tmpdir(), `netpay-forgery-keys-${randomUUID().slice(0, 8)}.json`);
    const ring = stack.broker.app.get(BrokerKeyRing);
    await writeFile(keysFile, JSON.stringify({ currentKeyId: ring.currentKeyId, keys: ring.publicKeys() }));
    return new ForgeryStack(stack, vendors, attacker, customer, keysFile);
  }

  /** A client-side chain of `coins` coins bought by the customer, with its paywords. */
  async clientChain(coins = 20): Promise<Chain> {
    const bought = (await buy(this.stack.broker.http, this.customer, { coins, wallet: 'client' })).json<{
      chains: { chainId: string; length: number; seed: string }[];
    }>();
    const c = bought.chains[0]!;
    return generateChain({ chainId: c.chainId, length: c.length, alg: 'sha256', seed: c.seed });
  }

  /** The attacker appends one event to `stream`, after its last one, declaring `actor`. */
  async forge(
    stream: string,
    event: { type: string; version: number; data: Record<string, unknown> },
    actor: string,
  ): Promise<void> {
    const [last] = await this.attacker.readStream(stream, { direction: 'backwards', maxCount: 1 });
    await this.attacker.appendToStream(
      stream,
      [{ id: randomUUID(), ...event, metadata: { correlationId: 'forged', causationId: 'forged', actor } }],
      { expectedRevision: last!.revision },
    );
  }

  /** The auditor's CLI over the stack's store: its exit code and violations. */
  async audit(): Promise<{ code: number; violations: AuditViolation[] }> {
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: () => undefined, now: () => performance.now() };
    const env = {
      EVENT_STORE: 'jetstream',
      ...testNatsEnv('auditor', this.stack.nats.url),
      EVENT_STORE_STREAM: `TEST_VB_${this.stack.unique}`,
      EVENT_STORE_SUBJECT_PREFIX: `test.vb${this.stack.unique}.events`,
    };
    const code = await runCli(['--json', '--broker-keys', this.keysFile], env, io);
    const report = JSON.parse(out.join('')) as { violations: AuditViolation[] };
    return { code, violations: report.violations };
  }

  async dispose(): Promise<void> {
    await this.attacker?.close();
    await this.stack.dispose();
    await rm(this.keysFile, { force: true });
  }
}
