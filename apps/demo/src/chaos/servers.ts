// The fault suite's own nats-server and redis-server: started on free ports, killed, frozen and
// restarted only by the suite. Never the shared :6379 Redis nor anyone else's NATS.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function freePort(): Promise<number> {
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

async function waitPort(port: number, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await answers(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} on :${port} did not come up`);
}

function killed(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGKILL');
  return exited;
}

/** A server process the suite owns, restarted on the same port. */
abstract class OwnServer {
  protected child: ChildProcess | undefined;

  protected constructor(readonly port: number) {}

  protected abstract spawnServer(): ChildProcess;
  protected abstract readonly what: string;

  async start(): Promise<void> {
    this.child = this.spawnServer();
    await waitPort(this.port, this.what);
  }

  /** SIGKILL: gone at once, an outage, not a shutdown. */
  async kill(): Promise<void> {
    if (this.child) await killed(this.child);
  }

  async stop(): Promise<void> {
    await this.kill();
  }
}

/**
 * nats-server with JetStream (data kept in its own directory across a kill and restart) and the
 * local stack's authorization block (`.stack/nats/auth.conf`), so every process keeps its role.
 */
export class SuiteNats extends OwnServer {
  protected readonly what = 'nats-server';
  private readonly dir = mkdtempSync(join(tmpdir(), 'netpay-chaos-nats-'));

  private constructor(
    port: number,
    private readonly authConf: string | undefined,
  ) {
    super(port);
  }

  static async create(authConf: string | undefined): Promise<SuiteNats> {
    const binary = process.env.NATS_SERVER_BIN ?? 'nats-server';
    if (spawnSync(binary, ['--version']).status !== 0) {
      throw new Error('the fault suite needs a nats-server binary on PATH (or NATS_SERVER_BIN)');
    }
    const nats = new SuiteNats(await freePort(), authConf);
    await nats.start();
    return nats;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  protected spawnServer(): ChildProcess {
    const args = ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.dir];
    if (this.authConf && existsSync(this.authConf)) {
      // nats-server includes files relative to its config only: the block is copied beside it.
      copyFileSync(this.authConf, join(this.dir, 'auth.conf'));
      writeFileSync(join(this.dir, 'nats-server.conf'), 'include ./auth.conf\n');
      args.unshift('-c', join(this.dir, 'nats-server.conf'));
    }
    return spawn(process.env.NATS_SERVER_BIN ?? 'nats-server', args, { stdio: 'ignore' });
  }

  override async stop(): Promise<void> {
    await super.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** redis-server without persistence: killed and started again, it comes back empty. */
export class SuiteRedis extends OwnServer {
  protected readonly what = 'redis-server';

  static async create(): Promise<SuiteRedis> {
    const binary = process.env.REDIS_SERVER_BIN ?? 'redis-server';
    if (spawnSync(binary, ['--version']).status !== 0) {
      throw new Error('the fault suite needs a redis-server binary on PATH (or REDIS_SERVER_BIN)');
    }
    const redis = new SuiteRedis(await freePort());
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  protected spawnServer(): ChildProcess {
    return spawn(
      process.env.REDIS_SERVER_BIN ?? 'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
  }
}
