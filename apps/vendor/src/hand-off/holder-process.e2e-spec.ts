import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { testNatsEnv } from '#event-store/testing';
import { generateSigningKey, createSigner } from '#protocol';
import { eventTypes, uniquePositions } from '../../test/chain-audit.js';
import type { IssuedChain } from '../../test/in-memory-broker.js';
import { REDIS_URL, type RunningVendor, VendorStack } from '../../test/vendor-stack.js';

const root = resolve(import.meta.dirname, '../../../..');

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** The vendor image as its own process (dist/apps/vendor/src/main.js), sharing the test's NATS, store and Redis. */
class VendorProcess {
  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(stack: VendorStack, vendorId: string, privateKey: string): Promise<VendorProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, ['dist/apps/vendor/src/main.js'], {
      cwd: root,
      stdio: 'ignore',
      env: {
        PATH: process.env.PATH,
        VENDOR_ID: vendorId,
        VENDOR_KEY: privateKey,
        PORT: String(port),
        HOST: '127.0.0.1',
        ...testNatsEnv(`vendor-${vendorId}`, stack.nats.url),
        REDIS_URL,
        REDIS_KEY_PREFIX: stack.redisPrefix,
        EVENT_STORE: 'jetstream',
        EVENT_STORE_STREAM: stack.streamName,
        EVENT_STORE_SUBJECT_PREFIX: stack.subjectPrefix,
        HANDOFF_TIMEOUT: '300ms',
        BROKER_URL: 'http://127.0.0.1:9',
        BROKER_PUBLIC_KEYS: stack.brokerPublicKeys,
        LOG_LEVEL: 'error',
      },
    });
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 200; i++) {
      const ready = await fetch(`${url}/health/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) return new VendorProcess(child, url);
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    throw new Error(`vendor process ${vendorId} did not become ready`);
  }

  async spend(
    issued: IssuedChain,
    index: number,
    resource: string,
  ): Promise<{ status: number; code?: string }> {
    return spendAt(this.url, issued, index, resource);
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGKILL');
    await exited;
  }
}

async function spendAt(url: string, issued: IssuedChain, index: number, resource: string) {
  const body = { ...issued.chain.spendProof(index, 1), count: 1, resource };
  const response = await fetch(`${url}/spends`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, code: ((await response.json()) as { code?: string }).code };
}

describe('a holder vendor in a process of its own, frozen then killed', () => {
  let stack: VendorStack;
  let holder: VendorProcess;
  let b: RunningVendor;

  beforeAll(async () => {
    await promisify(execFile)(
      process.execPath,
      ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'],
      { cwd: root },
    );
    stack = await VendorStack.start();
    const key = generateSigningKey('ka-1');
    stack.broker.registerVendor('ka', createSigner(key));
    holder = await VendorProcess.start(stack, 'ka', key.privateKey);
    b = await stack.vendor('kb');
  }, 120_000);
  afterAll(async () => {
    await holder?.kill();
    await stack?.dispose();
  });

  it('B claims from the frozen holder; the holder’s queued spend and hand-off then fail; a dead holder is claimed from at once', async () => {
    const issued = await stack.broker.issue();
    const other = await stack.broker.issue();
    const chainId = issued.chain.chainId;
    expect(await holder.spend(issued, 1, `r-${randomUUID()}`)).toEqual({ status: 201 });
    expect(await holder.spend(other, 1, 'other')).toEqual({ status: 201 });

    holder.signal('SIGSTOP'); // frozen: NATS and HTTP requests reach its sockets, nothing runs
    const queuedAtHolder = holder.spend(issued, 2, 'late-at-ka');
    expect(await spendAt(b.url, issued, 2, 'at-kb')).toEqual({ status: 201 }); // after HANDOFF_TIMEOUT: a claim
    holder.signal('SIGCONT');
    expect(await queuedAtHolder).toEqual({ status: 409, code: 'SPEND.PAYWORD_REPLAYED' });
    // Give the holder's late hand-off answer time to run (and fail) before reading the stream.
    await new Promise((r) => setTimeout(r, 300));
    expect(await eventTypes(stack.store, chainId)).toEqual([
      'ChainIssued',
      'CoinsSpent',
      'ChainClaimed',
      'CoinsSpent',
    ]);

    await holder.kill(); // dead: nobody listens on its subject any more
    expect(await spendAt(b.url, other, 2, 'after-death')).toEqual({ status: 201 });
    expect(await eventTypes(stack.store, other.chain.chainId)).toEqual([
      'ChainIssued',
      'CoinsSpent',
      'ChainClaimed',
      'CoinsSpent',
    ]);
    expect(await uniquePositions(stack.store, chainId)).toEqual([1, 2]);
    expect(await uniquePositions(stack.store, other.chain.chainId)).toEqual([1, 2]);
  });
});
