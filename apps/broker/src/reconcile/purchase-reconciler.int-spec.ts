import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateSigningKey } from '#protocol';
import { httpClient, startBroker, type TestBroker } from '../test/broker-harness.js';
import { type IntStack, intStack } from '../test/int-stack.js';
import { bankBalance, buy, registerCustomer } from '../test/scenario.js';

const ROOT = resolve(import.meta.dirname, '../../../..');
const STALLING = join(ROOT, 'dist/apps/broker/src/test/stalling-broker.js');

/** Builds dist/ when the stalling broker is missing or older than its sources. */
function ensureBuilt(): void {
  const sources = [
    'apps/broker/src/test/stalling-broker.ts',
    'apps/broker/src/buy-coins/buy-coins.handler.ts',
    'apps/broker/src/buy-coins/purchase-settlement.ts',
    'apps/broker/src/bank/simulated-bank.ts',
  ].map((f) => statSync(join(ROOT, f)).mtimeMs);
  if (existsSync(STALLING) && statSync(STALLING).mtimeMs >= Math.max(...sources)) return;
  spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    stdio: 'ignore',
  });
  if (!existsSync(STALLING)) throw new Error(`build did not produce ${STALLING}`);
}

/** The broker in a child process; resolves with it and its URL once it listens. */
function startStalling(
  mode: 'after-charge' | 'before-charge',
  stack: IntStack,
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string; lines: string[] }> {
  const child = spawn(process.execPath, [STALLING, mode, stack.streamName, stack.subjectPrefix], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const lines: string[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done, fail) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        lines.push(line);
        if (line.startsWith('LISTENING ')) done({ child, url: line.slice('LISTENING '.length), lines });
      }
    });
    child.once('exit', (code) => fail(new Error(`stalling broker exited (${code}): ${stderr}`)));
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

// The broker dies (SIGKILL, a real process) between the bank's charge and its record; another
// broker's reconciliation settles the purchase with the bank, and the customer never retries.
describe('purchase reconciliation after a broker is killed (JetStream)', () => {
  let stack: IntStack;
  let broker: TestBroker;
  const shared: Record<string, string> = {
    BROKER_SECRET: randomBytes(32).toString('hex'),
    WALLET_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    BROKER_SIGNING_KEY: generateSigningKey('k').privateKey,
    BROKER_KEY_ID: 'broker-test-1',
  };

  beforeAll(async () => {
    ensureBuilt();
    stack = await intStack({
      ...shared,
      PURCHASE_RECONCILE_INTERVAL: '250ms',
      PURCHASE_RECONCILE_AFTER: '1s',
    });
    broker = await startBroker({ store: stack.store, config: stack.config });
  }, 180_000);
  afterAll(async () => {
    await broker?.close();
    await stack?.dispose();
  });

  async function purchaseStream(purchaseId: string): Promise<string[]> {
    return (await stack.store.readStream(`purchase-${purchaseId}`)).map((e) => e.type);
  }

  it.each([
    ['after-charge', 'completed', ['PurchaseRequested', 'CoinsPurchased'], 1_000 - 60],
    ['before-charge', 'voided', ['PurchaseRequested', 'PurchaseVoided'], 1_000],
  ] as const)(
    'killed %s: the purchase is %s by reconciliation without the customer retrying',
    async (mode, _outcome, events, balance) => {
      const customer = await registerCustomer(broker.http, 1_000);
      const stalling = await startStalling(mode, stack, stack.env);
      try {
        // The customer's request: its answer never comes (the broker dies under it).
        void buy(httpClient(stalling.url), customer, { coins: 30, coinValue: 2, wallet: 'server' }).catch(
          () => undefined,
        );
        const line = await until(mode, async () =>
          stalling.lines.find((l) => l.startsWith(mode === 'after-charge' ? 'CHARGED ' : 'CHARGING ')),
        );
        stalling.child.kill('SIGKILL');
        const purchaseId = line.split(' ')[1]!;
        expect(await purchaseStream(purchaseId)).toEqual(['PurchaseRequested']);
        if (mode === 'after-charge') expect(await bankBalance(broker.http, customer.bankAccount)).toBe(940);

        await until('reconciliation', async () =>
          (await purchaseStream(purchaseId)).length > 1 ? true : undefined,
        );
        expect(await purchaseStream(purchaseId)).toEqual(events);
        expect(await bankBalance(broker.http, customer.bankAccount)).toBe(balance);
        const recorded = await stack.store.readStream(`purchase-${purchaseId}`);
        if (mode === 'after-charge') {
          expect(recorded[1]!.data).toMatchObject({ amount: 60, reconciled: true });
          // The customer's wallet holds the chains without ever asking again.
          const wallet = await broker.http('GET', '/wallet', { token: customer.token });
          expect(wallet.status).toBe(200);
          expect(JSON.stringify(wallet.json())).toContain(
            (recorded[1]!.data as { chainIds: string[] }).chainIds[0],
          );
        }
      } finally {
        if (stalling.child.exitCode === null && stalling.child.signalCode === null)
          stalling.child.kill('SIGKILL');
      }
    },
  );
});
