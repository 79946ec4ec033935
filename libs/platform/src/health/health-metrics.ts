import { Injectable, type OnModuleInit } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service.js';
import { sharedWhileRunning } from '../metrics/shared-while-running.js';
import { HealthRegistry } from './health.registry.js';

/**
 * Dependency health as metrics: at each scrape the readiness checks run (each bounded by its
 * time-out) and `netpay_dependency_up{check}` is 1 or 0, `netpay_ready` 1 when all are up.
 * Dashboards and the "NATS or Redis away" alerts read these.
 */
@Injectable()
export class HealthMetrics implements OnModuleInit {
  constructor(
    private readonly health: HealthRegistry,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    const up = this.metrics.gauge(
      'netpay_dependency_up',
      'Readiness check passes (1) or fails (0), by check.',
      ['check'],
    );
    const ready = this.metrics.gauge('netpay_ready', 'The service is ready (1) or not (0).');
    const readiness = sharedWhileRunning(() => this.health.readiness());
    up.collect = async () => {
      for (const [check, result] of Object.entries((await readiness()).checks))
        up.set(result.status === 'up' ? 1 : 0, { check });
    };
    ready.collect = async () => ready.set((await readiness()).status === 'ok' ? 1 : 0);
  }
}
