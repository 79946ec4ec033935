import { type BeforeApplicationShutdown, Injectable } from '@nestjs/common';

/** A readiness probe: resolve when the dependency is usable, throw (or reject) when it is not. */
export type HealthCheck = () => unknown;

export interface CheckResult {
  status: 'up' | 'down';
  durationMs: number;
  error?: string;
}

export interface ReadinessReport {
  status: 'ok' | 'unavailable';
  checks: Record<string, CheckResult>;
}

const DEFAULT_TIMEOUT_MS = 2_000;

/**
 * Readiness checks other modules register (NATS connected, Redis PING, event store reachable).
 * All run in parallel, each bounded by its time-out. Once shutdown starts the process reports
 * itself not ready, so a load balancer drains it before connections close.
 */
@Injectable()
export class HealthRegistry implements BeforeApplicationShutdown {
  private readonly checks = new Map<string, { check: HealthCheck; timeoutMs: number }>();
  private shuttingDown = false;

  register(name: string, check: HealthCheck, options: { timeoutMs?: number } = {}): void {
    if (this.checks.has(name)) throw new Error(`health check ${JSON.stringify(name)} is already registered`);
    this.checks.set(name, { check, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS });
  }

  names(): string[] {
    return [...this.checks.keys()];
  }

  async readiness(): Promise<ReadinessReport> {
    const entries = await Promise.all(
      [...this.checks].map(
        async ([name, { check, timeoutMs }]) => [name, await run(check, timeoutMs)] as const,
      ),
    );
    const checks: Record<string, CheckResult> = Object.fromEntries(entries);
    if (this.shuttingDown)
      checks.shutdown = { status: 'down', durationMs: 0, error: 'the service is shutting down' };
    const ok = Object.values(checks).every((c) => c.status === 'up');
    return { status: ok ? 'ok' : 'unavailable', checks };
  }

  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
  }
}

async function run(check: HealthCheck, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([Promise.resolve().then(check), timedOut]);
    return { status: 'up', durationMs: elapsed(started) };
  } catch (e) {
    return {
      status: 'down',
      durationMs: elapsed(started),
      error: e instanceof Error ? e.message : String(e),
    };
  } finally {
    clearTimeout(timer);
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}
