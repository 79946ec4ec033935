import { testNatsEnv } from '#event-store/testing';
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { REDIS_URL, type VendorStack } from './vendor-stack.js';

export const repositoryRoot = resolve(import.meta.dirname, '../../..');

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

/**
 * The vendor image as a process of its own (`dist/apps/vendor/src/main.js`, build first) on a
 * `VendorStack`'s NATS, store and Redis: what a test freezes (SIGSTOP) or kills.
 */
export class VendorProcess {
  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(
    stack: VendorStack,
    vendorId: string,
    privateKey: string,
    env: Record<string, string> = {},
  ): Promise<VendorProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, ['dist/apps/vendor/src/main.js'], {
      cwd: repositoryRoot,
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
        BROKER_URL: 'http://127.0.0.1:9',
        BROKER_PUBLIC_KEYS: stack.brokerPublicKeys,
        LOG_LEVEL: 'error',
        ...env,
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
