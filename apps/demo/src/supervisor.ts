import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** One NetPay process the demo (or `npm start`) runs: an app's compiled main with its env. */
export interface ProcessSpec {
  readonly name: string;
  /** Path of the compiled entry, relative to the repo root (e.g. `dist/apps/broker/src/main.js`). */
  readonly entry: string;
  readonly env: Readonly<Record<string, string>>;
  /** Answers 200 when the process is ready (e.g. `http://127.0.0.1:3000/health/ready`). */
  readonly readyUrl: string;
  /** How long its first start may take to be ready (30 s unless said). */
  readonly readyWithinMs?: number;
}

export interface Running {
  readonly spec: ProcessSpec;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Where this run's output starts in the log (it is appended to across runs). */
  readonly logFrom: number;
  /** Settles when the child's output is all in the log. */
  readonly logged: Promise<void>;
}

/** Bringing back a process that exits on its own (`npm start`); the demo stages its crashes itself. */
export interface RestartPolicy {
  /** Wait before the first restart (1 s); it doubles while restarts keep failing, up to `maxDelayMs`. */
  readonly minDelayMs?: number;
  /** Longest wait between two restarts (30 s). */
  readonly maxDelayMs?: number;
  /** A process that stayed up this long (60 s) starts the next restart from `minDelayMs` again. */
  readonly stableMs?: number;
  /**
   * How long a restart may take to be ready (30 s). One that is alive then (its `/health`
   * answers) is kept and watched, not killed: it is waiting out something a new start would
   * wait out again (the redemption worker the dead holder's lease, a dependency still away), or
   * the machine is slow.
   */
  readonly readyWithinMs?: number;
  /** One line per exit, restart and failed restart. */
  readonly log: (line: string) => void;
}

/**
 * Starts and stops the stack's processes. Every child's output goes to its own
 * log file; `stopAll` ends every process this supervisor started, whatever happened.
 * With a restart policy, a process that exits when nobody asked it to (a crash, an OOM kill, an
 * uncaught error) is started again with the same spec, backing off while it keeps failing.
 */
export class Supervisor {
  private readonly running = new Map<string, Running>();
  /** Consecutive restarts per process name (reset once it has stayed up `stableMs`). */
  private readonly restarts = new Map<string, number>();
  private readonly pendingRestarts = new Set<NodeJS.Timeout>();
  private closing = false;

  constructor(
    private readonly root: string,
    private readonly logDir: string,
    private readonly restartPolicy?: RestartPolicy,
  ) {
    mkdirSync(logDir, { recursive: true });
  }

  async start(spec: ProcessSpec, timeoutMs = spec.readyWithinMs ?? 30_000): Promise<Running> {
    // Another stack on the same port would answer our readiness probe, and anything else there
    // (not HTTP at all) would make the child fail its listen: refuse, naming the port.
    const { hostname, port } = new URL(spec.readyUrl);
    if (await portStaysTaken(hostname, Number(port || 80))) {
      throw new Error(
        `${spec.name}: port ${port} on ${hostname} is taken by another process; stop it or choose other ports (BROKER_PORT, VENDOR_BASE_PORT, REDEMPTION_PORT, CIS_PORT, PEER_BASE_PORT)`,
      );
    }
    // stopAll ran while this (re)start waited for the port: start nothing it would not stop.
    if (this.closing) throw new Error(`${spec.name}: the supervisor is stopping`);
    const logFile = join(this.logDir, `${spec.name}.log`);
    const logFrom = existsSync(logFile) ? statSync(logFile).size : 0;
    const log = createWriteStream(logFile, { flags: 'a' });
    const child = spawn(process.execPath, [join(this.root, spec.entry)], {
      cwd: this.root,
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Both streams into one file, which ends when the child's output has (not at the first of the two).
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    const logged = new Promise<void>((resolve) => child.once('close', () => log.end(resolve)));
    const running = { spec, child, logFile, logFrom, logged };
    this.running.set(spec.name, running);
    await this.waitReady(running, timeoutMs);
    if (this.restartPolicy) this.watch(running, this.restartPolicy);
    return running;
  }

  /** The pid of a running process, or undefined. */
  pid(name: string): number | undefined {
    return this.running.get(name)?.child.pid;
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
    this.closing = true;
    for (const timer of this.pendingRestarts) clearTimeout(timer);
    this.pendingRestarts.clear();
    const names = [...this.running.keys()].reverse();
    await Promise.all(names.map((name) => this.stop(name)));
  }

  names(): string[] {
    return [...this.running.keys()];
  }

  /** Restarts `r` if it exits while still ours: `stop` and `kill` forget a process first. */
  private watch(r: Running, policy: RestartPolicy): void {
    const readyAt = Date.now();
    const exited = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (this.closing || this.running.get(r.spec.name) !== r) return;
      this.running.delete(r.spec.name);
      if (Date.now() - readyAt >= (policy.stableMs ?? 60_000)) this.restarts.delete(r.spec.name);
      policy.log(`${r.spec.name} exited (${signal ?? `code ${String(code)}`}); see ${r.logFile}`);
      this.scheduleRestart(r.spec, policy);
    };
    // It may have exited between its last readiness answer and now: its 'exit' has gone by.
    if (r.child.exitCode !== null || r.child.signalCode !== null)
      exited(r.child.exitCode, r.child.signalCode);
    else r.child.once('exit', exited);
  }

  private scheduleRestart(spec: ProcessSpec, policy: RestartPolicy): void {
    const attempt = this.restarts.get(spec.name) ?? 0;
    this.restarts.set(spec.name, attempt + 1);
    const delay = Math.min(policy.maxDelayMs ?? 30_000, (policy.minDelayMs ?? 1_000) * 2 ** attempt);
    policy.log(`${spec.name}: restarting in ${delay} ms`);
    const timer = setTimeout(() => {
      this.pendingRestarts.delete(timer);
      this.start(spec, policy.readyWithinMs).then(
        () => policy.log(`${spec.name} restarted`),
        async (error: Error) => {
          // Alive but not ready yet: killing it would only start the same wait again. A restarted
          // redemption worker waits out the dead holder's lease (REDEMPTION_LEASE_TTL) before it
          // is ready; on a busy machine start-up plus that wait passed 30 s on every try, and the
          // worker was killed and started again for as long as the machine stayed busy.
          if (!this.closing && error instanceof NotReadyError && (await answersLive(spec))) {
            policy.log(`${spec.name}: restarted, alive but not ready yet (${error.message}): kept`);
            this.watch(error.running, policy);
            this.waitReady(error.running, Number.POSITIVE_INFINITY).then(
              () => policy.log(`${spec.name} restarted`),
              () => undefined, // it exited: watch() restarts it
            );
            return;
          }
          // A child that started but never became ready is ended before the next try.
          this.kill(spec.name);
          if (this.closing) return;
          policy.log(`${spec.name}: restart failed: ${error.message}`);
          this.scheduleRestart(spec, policy);
        },
      );
    }, delay);
    this.pendingRestarts.add(timer);
  }

  private async waitReady(r: Running, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exited: number | null | undefined;
    r.child.once('exit', (code) => (exited = code));
    while (Date.now() < deadline) {
      if (exited !== undefined) {
        await Promise.race([r.logged, new Promise((resolve) => setTimeout(resolve, 2_000))]);
        throw new Error(
          `${r.spec.name} exited with ${String(exited)} while starting${lastError(r.logFile, r.logFrom)}; see ${r.logFile}`,
        );
      }
      try {
        const res = await fetch(r.spec.readyUrl, { signal: AbortSignal.timeout(1_000) });
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    throw new NotReadyError(r, `${r.spec.name} was not ready within ${timeoutMs} ms; see ${r.logFile}`);
  }
}

/** A process that is still running but did not become ready in time. */
class NotReadyError extends Error {
  constructor(
    readonly running: Running,
    message: string,
  ) {
    super(message);
  }
}

/** Whether the process answers its liveness probe: `/health` beside its `/health/ready`. */
async function answersLive(spec: ProcessSpec): Promise<boolean> {
  const url = spec.readyUrl.replace(/\/ready$/, '');
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok;
  } catch {
    return false;
  }
}

/**
 * Whether host:port stays taken for 3 s: a process this supervisor just killed (a crash the demo
 * stages, restarted at once) may still hold its socket for a moment.
 */
async function portStaysTaken(host: string, port: number): Promise<boolean> {
  const until = Date.now() + 3_000;
  while (await portTaken(host, port)) {
    if (Date.now() >= until) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/** Whether something listens on host:port already (a listen there fails). */
function portTaken(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(true));
    probe.listen(port, host.replace(/^\[|\]$/g, ''), () => probe.close(() => resolve(false)));
  });
}

/** `: <message>` of the last error a child logged since `from` (JSON line or plain text), or ''. */
function lastError(logFile: string, from: number): string {
  let text: string;
  try {
    text = readFileSync(logFile).subarray(from).toString('utf8');
  } catch {
    return '';
  }
  const lines = text.trimEnd().split('\n').reverse();
  for (const line of lines) {
    try {
      const entry = JSON.parse(line) as { level?: unknown; message?: unknown; msg?: unknown };
      const message = entry.message ?? entry.msg;
      if ((entry.level === 'error' || entry.level === 'fatal') && typeof message === 'string')
        return `: ${message}`;
    } catch {
      if (/error/i.test(line)) return `: ${line.trim()}`;
    }
  }
  return '';
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
