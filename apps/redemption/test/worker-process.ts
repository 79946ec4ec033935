// The redemption worker as a process of its own (`dist/apps/redemption/src/main.js serve`, built
// when missing or older than the sources): what the lease test starts twice and kills.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { freePort } from '../../../test/ports.js';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../../..');
const MAIN = join(ROOT, 'dist/apps/redemption/src/main.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !/\.(int-|e2e-)?spec\.ts$/.test(entry.name)) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

/** Builds dist/ when the worker's entry point is missing or older than its sources and the libs. */
export function ensureWorkerBuilt(): void {
  const sources = Math.max(
    newestSource(join(ROOT, 'apps/redemption/src')),
    newestSource(join(ROOT, 'apps/broker/src/bank')),
    newestSource(join(ROOT, 'libs')),
  );
  if (existsSync(MAIN) && statSync(MAIN).mtimeMs >= sources) return;
  spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    stdio: 'ignore',
  });
  if (!existsSync(MAIN)) throw new Error(`build did not produce ${MAIN}`);
}

export class WorkerProcess {
  readonly output: string[] = [];

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly url: string,
  ) {
    const keep = (chunk: Buffer): void => void this.output.push(chunk.toString());
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  /** Starts `serve` with `env` and waits until it answers liveness (it may be a standby). */
  static async start(name: string, env: Record<string, string>): Promise<WorkerProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, [MAIN, 'serve'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '', PORT: String(port), HOST: '127.0.0.1', ...env },
    });
    const worker = new WorkerProcess(name, child, `http://127.0.0.1:${port}`);
    for (let i = 0; i < 1200; i++) {
      if (child.exitCode !== null) break;
      const live = await fetch(`${worker.url}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (live) return worker;
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
    throw new Error(`redemption worker ${name} did not start:\n${worker.output.join('')}`);
  }

  async ready(): Promise<boolean> {
    return fetch(`${this.url}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
  }

  /** POST /redemption/nights: the status and the error code or the report. */
  async runNight(day: string, token: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${this.url}/redemption/nights`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ day }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill(signal);
    await exited;
  }
}
