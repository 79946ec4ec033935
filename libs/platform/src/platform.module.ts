import { type DynamicModule, Global, Module } from '@nestjs/common';
import { type Clock, SystemClock } from './clock/clock.js';
import { ClockModule } from './clock/clock.module.js';
import { HealthMetrics } from './health/health-metrics.js';
import { HealthModule } from './health/health.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { SERVICE_INFO, type ServiceInfo } from './service-info.js';

export interface PlatformModuleOptions extends ServiceInfo {
  /** The system clock when omitted; tests hand in a `ManualClock`. */
  clock?: Clock;
}

/** What every NetPay service imports: service info, `CLOCK`, health and metrics endpoints. */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformModuleOptions): DynamicModule {
    const info: ServiceInfo = { name: options.name, version: options.version };
    return {
      module: PlatformModule,
      imports: [ClockModule.forRoot(options.clock ?? new SystemClock()), HealthModule, MetricsModule],
      providers: [{ provide: SERVICE_INFO, useValue: info }, HealthMetrics],
      exports: [SERVICE_INFO],
    };
  }
}
