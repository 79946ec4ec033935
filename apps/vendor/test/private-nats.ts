import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stackAuthFile } from '#event-store';

/**
 * A nats-server (with JetStream) of the test file's own: the broker subjects
 * are global, so vendor tests on the shared server could be answered by
 * another engineer's broker under test. Falls back to NATS_URL when no
 * nats-server binary is on PATH.
 */
export class PrivateNats {
  private constructor(
    readonly url: string,
    private child: ChildProcess | undefined,
    private readonly dir: string | undefined,
  ) {}

  /** Whether this is a server of our own (halt/resume need one: never stop the shared server). */
  get private(): boolean {
    return this.child !== undefined;
  }

  /** Stops the server (SIGKILL: an outage, not a drain); `resume` starts it again on the same port and data. */
  async halt(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  async resume(): Promise<void> {
    if (!this.dir) throw new Error('resume needs a private nats-server');
    const port = Number(new URL(this.url).port);
    this.child = spawnServer(port, this.dir);
    for (let i = 0; i < 200; i++) {
      if (await answers(port)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`nats-server on :${port} did not come back`);
  }

  static async start(): Promise<PrivateNats> {
    const binary = process.env.NATS_SERVER_BIN ?? 'nats-server';
    if (spawnSync(binary, ['--version']).status !== 0) {
      return new PrivateNats(process.env.NATS_URL ?? 'nats://127.0.0.1:4222', undefined, undefined);
    }
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'netpay-vendor-nats-'));
    const child = spawnServer(port, dir);
    for (let i = 0; i < 200; i++) {
      if (await answers(port)) return new PrivateNats(`nats://127.0.0.1:${port}`, child, dir);
      await new Promise((r) => setTimeout(r, 25));
    }
    child.kill('SIGKILL');
    throw new Error(`nats-server on :${port} did not start`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The local stack's authorization (scripts/nats-auth.mjs, the identities of .stack/nats-auth.json)
 * when there is one: the same roles and rights as everywhere. nats-server 2.9 includes files
 * relative to the config only, so the block is copied beside it.
 */
function authConfig(dir: string): string[] {
  const auth = join(dirname(stackAuthFile()), 'nats', 'auth.conf');
  if (!existsSync(auth)) return [];
  copyFileSync(auth, join(dir, 'auth.conf'));
  writeFileSync(join(dir, 'nats-server.conf'), 'include ./auth.conf\n');
  return ['-c', join(dir, 'nats-server.conf')];
}

function spawnServer(port: number, dir: string): ChildProcess {
  const binary = process.env.NATS_SERVER_BIN ?? 'nats-server';
  return spawn(binary, [...authConfig(dir), '-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], {
    stdio: 'ignore',
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
