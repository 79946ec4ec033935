import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A nats-server of the test's own (from PATH or NATS_SERVER_BIN), for tests
 * that must kill the server: the shared one on :4222 is not ours to kill.
 */
export class OwnNatsServer {
  private child: ChildProcess | undefined;
  readonly storeDir = mkdtempSync(join(tmpdir(), 'netpay-nats-'));

  private constructor(
    readonly binary: string,
    readonly port: number,
    private readonly configFile: string | undefined,
  ) {}

  static binary(): string | undefined {
    const binary = process.env.NATS_SERVER_BIN ?? 'nats-server';
    const found = spawnSync(binary, ['--version'], { encoding: 'utf8' });
    return found.status === 0 ? binary : undefined;
  }

  /** `[major, minor]` of the binary, e.g. [2, 9]. */
  static version(binary: string): [number, number] {
    const out = spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout ?? '';
    const match = /v(\d+)\.(\d+)\./.exec(out);
    return match ? [Number(match[1]), Number(match[2])] : [0, 0];
  }

  /** Our deploy config for this binary: fsync before ack where the server can (2.10+). */
  static deployConfig(binary: string, deployDir: string): string {
    const [major, minor] = OwnNatsServer.version(binary);
    const fsync = major > 2 || (major === 2 && minor >= 10);
    return join(deployDir, fsync ? 'nats-server-fsync.conf' : 'nats-server.conf');
  }

  static async create(deployDir: string): Promise<OwnNatsServer> {
    const binary = OwnNatsServer.binary();
    if (!binary) throw new Error('nats-server is not on PATH');
    return new OwnNatsServer(binary, await freePort(), OwnNatsServer.deployConfig(binary, deployDir));
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const args = ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir];
    if (this.configFile) args.unshift('-c', this.configFile);
    this.child = spawn(this.binary, args, { stdio: 'ignore' });
    for (let i = 0; i < 200; i++) {
      if (await answers(this.port)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`nats-server on :${this.port} did not start`);
  }

  /** SIGKILL: no shutdown, no flush: what a crash looks like to the store files. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    this.child = undefined;
  }

  async dispose(): Promise<void> {
    await this.kill();
    rmSync(this.storeDir, { recursive: true, force: true });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: '127.0.0.1', port });
    socket.once('data', (buf) => {
      socket.destroy();
      resolve(buf.toString().startsWith('INFO '));
    });
    socket.once('error', () => resolve(false));
  });
}
