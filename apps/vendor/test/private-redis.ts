import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { connect, createServer } from 'node:net';

/**
 * A redis-server of the test's own on a free port, without persistence, which a test may stop,
 * start again (empty) or flush: never the shared :6379. `undefined` from `start` when no
 * redis-server binary is on PATH.
 */
export class PrivateRedis {
  private constructor(
    readonly port: number,
    private child: ChildProcess,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<PrivateRedis | undefined> {
    if (spawnSync(binary(), ['--version']).status !== 0) return undefined;
    const port = await freePort();
    const redis = new PrivateRedis(port, spawnRedis(port));
    await redis.waitUp();
    return redis;
  }

  /** SIGKILL: Redis is gone at once (an outage, not a shutdown). */
  async halt(): Promise<void> {
    const child = this.child;
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  /** SIGSTOP: Redis still holds its connections but answers nothing (a hung server, a black hole). */
  freeze(): void {
    this.child.kill('SIGSTOP');
  }

  /** SIGCONT after `freeze`: it answers again, the commands it held included. */
  thaw(): void {
    this.child.kill('SIGCONT');
  }

  /** Starts it again on the same port, empty (no persistence): a new Redis where the old one was. */
  async resume(): Promise<void> {
    this.child = spawnRedis(this.port);
    await this.waitUp();
  }

  async stop(): Promise<void> {
    await this.halt();
  }

  private async waitUp(): Promise<void> {
    for (let i = 0; i < 200; i++) {
      if (await answers(this.port)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`redis-server on :${this.port} did not start`);
  }
}

function binary(): string {
  return process.env.REDIS_SERVER_BIN ?? 'redis-server';
}

function spawnRedis(port: number): ChildProcess {
  return spawn(
    binary(),
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
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
