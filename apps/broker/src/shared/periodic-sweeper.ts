import type { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';

/**
 * A sweep the broker runs every `intervalMs()` (0: never; tests and operators call `sweep()`),
 * one at a time: a sweep asked for while one runs gets that one. Shutdown waits for it. Every
 * replica runs its own: what a sweep does must be idempotent across replicas.
 */
export abstract class PeriodicSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  protected abstract readonly logger: Logger;
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;

  /** How often to sweep, ms; 0 never. */
  protected abstract intervalMs(): number;

  /** One sweep: answers how many items it settled. */
  protected abstract sweepDue(): Promise<number>;

  onApplicationBootstrap(): void {
    const every = this.intervalMs();
    if (every === 0) return;
    this.timer = setInterval(
      () => void this.sweep().catch((e) => this.logger.warn(`sweep stopped: ${String(e)}`)),
      every,
    );
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping?.catch(() => undefined);
  }

  /** Sweeps now (or joins the sweep running); answers how many items it settled. */
  sweep(): Promise<number> {
    this.sweeping ??= this.sweepDue().finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }
}
