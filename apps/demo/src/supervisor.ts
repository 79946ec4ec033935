import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** One NetPay process the demo (or `npm start`) runs: an app's compiled main with its env. */
export interface ProcessSpec {
  readonly name: string;
  /** Path of the compiled entry, relative to the repo root (e.g. `dist/apps/broker/src/main.js`). */
  readonly entry: string;
  readonly env: Readonly<Record<string, string>>;
  /** Answers 200 when the process is ready (e.g. `http://127.0.0.1:3000/health/ready`). */
  readonly readyUrl: string;
}

export interface Running {
  readonly spec: ProcessSpec;
  readonly child: ChildProcess;
  readonly logFile: string;
}

/**
 * Starts and stops the stack's processes. Every child's output goes to its own
 * log file; `stopAll` ends every process this supervisor started, whatever happened.
 */
export class Supervisor {
  private readonly running = new Map<string, Running>();

  constructor(
    private readonly root: string,
    private readonly logDir: string,
  ) {
    mkdirSync(logDir, { recursive: true });
  }

  async start(spec: ProcessSpec, timeoutMs = 30_000): Promise<Running> {
    // Another stack on the same port would answer our readiness probe: refuse instead.
    if (await answers(spec.readyUrl)) {
      throw new Error(
        `${spec.name}: something already answers on ${new URL(spec.readyUrl).host}; stop it or choose other ports`,
      );
    }
    const logFile = join(this.logDir, `${spec.name}.log`);
    const log = createWriteStream(logFile, { flags: 'a' });
    const child = spawn(process.execPath, [join(this.root, spec.entry)], {
      cwd: this.root,
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    const running = { spec, child, logFile };
    this.running.set(spec.name, running);
    await this.waitReady(running, timeoutMs);
    return running;
  }

  /** SIGKILL: the process gets no chance to finish anything (a crash). */
  kill(name: string): void {
    const r = this.running.get(name);
    if (!r) return;
    r.child.kill('SIGKILL');
    this.running.delete(name);
  }

  async stop(name: string, graceMs = 10_000): Promise<void> {
    const r = this.running.get(name);
    if (!r) return;
    this.running.delete(name);
    await terminate(r.child, graceMs);
  }

  async stopAll(): Promise<void> {
    const names = [...this.running.keys()].reverse();
    await Promise.all(names.map((name) => this.stop(name)));
  }

  names(): string[] {
    return [...this.running.keys()];
  }

  private async waitReady(r: Running, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exited: number | null | undefined;
    r.child.once('exit', (code) => (exited = code));
    while (Date.now() < deadline) {
      if (exited !== undefined) {
        throw new Error(`${r.spec.name} exited with ${String(exited)} while starting; see ${r.logFile}`);
      }
      try {
        const res = await fetch(r.spec.readyUrl, { signal: AbortSignal.timeout(1_000) });
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    throw new Error(`${r.spec.name} was not ready within ${timeoutMs} ms; see ${r.logFile}`);
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(500) });
    return true;
  } catch {
    return false;
  }
}

function terminate(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
