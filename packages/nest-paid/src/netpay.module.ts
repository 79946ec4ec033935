import { type DynamicModule, Module } from '@nestjs/common';
import { NatsModule, RedisModule } from '#platform';
import { NetPayVendorModule } from '../../../apps/vendor/src/netpay/netpay-vendor.module.js';
import type { NetPayVendorOptions } from '../../../apps/vendor/src/netpay/netpay-vendor.options.js';

/** What a NestJS app gives `NetPayModule.forRoot`: the engine's options plus where Redis is. */
export interface NetPayOptions extends NetPayVendorOptions {
  /** Redis of the hot chain state (required unless `hotStore: 'memory'`). */
  readonly redis?: { readonly url: string; readonly keyPrefix?: string };
}

/**
 * The whole plug-in in one import: the NATS connection (hand-offs, the broker, the CRL), Redis
 * when the hot store is Redis, and the payment engine, whose module also registers the
 * problem+json exception filter, so an unpaid request answers 402 in any NestJS app.
 */
@Module({})
export class NetPayModule {
  static forRoot(options: NetPayOptions): DynamicModule {
    const { redis, ...engine } = options;
    const memory = engine.hotStore === 'memory';
    if (!memory && redis === undefined)
      throw new Error("NetPayModule: give `redis: { url }`, or `hotStore: 'memory'` for one process");
    return {
      module: NetPayModule,
      imports: [
        NatsModule.forRoot({
          servers: engine.natsServers,
          name: `vendor-${engine.vendorId}`,
          ...(engine.natsIdentity ? { connection: engine.natsIdentity } : {}),
        }),
        ...(memory || redis === undefined
          ? []
          : [
              RedisModule.forRoot({
                url: redis.url,
                keyPrefix: redis.keyPrefix ?? `netpay:${engine.vendorId}:`,
              }),
            ]),
        NetPayVendorModule.forRoot(engine),
      ],
      exports: [NetPayVendorModule],
    };
  }
}
