import {
  type DynamicModule,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type ModuleMetadata,
  type OnApplicationShutdown,
  type OnModuleInit,
  Optional,
} from '@nestjs/common';
import { connect, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import { HealthRegistry } from '../health/health.registry.js';
import { natsReconnectOptions } from '../reconnect/reconnect-policy.js';

/** Nest injection token for the shared NATS connection (`NatsConnection`). */
export const NATS_CONNECTION = Symbol.for('netpay.platform.nats-connection');
const NATS_OPTIONS = Symbol.for('netpay.platform.nats-options');

export interface NatsModuleOptions {
  servers: string | string[];
  /** Connection name shown by the server's monitoring (`vendor-v1`). */
  name?: string;
  /** Passed to `connect()` as is (credentials, TLS, reconnect policy). */
  connection?: Omit<NodeConnectionOptions, 'servers' | 'name'>;
}

export interface NatsModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  inject?: (string | symbol | (abstract new (...args: never[]) => unknown))[];
  useFactory: (...args: never[]) => NatsModuleOptions | Promise<NatsModuleOptions>;
}

/** Registers the `nats` readiness check (a server round trip) and drains on shutdown. */
@Injectable()
class NatsLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Nats');

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Optional() private readonly health?: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.health?.register('nats', async () => {
      if (this.nc.isClosed()) throw new Error('connection closed');
      await this.nc.flush();
    });
    void this.watch();
  }

  /** Drain: finish in-flight handlers and publishes, then close. */
  async onApplicationShutdown(): Promise<void> {
    if (this.nc.isClosed()) return;
    await this.nc.drain().catch((e: unknown) => this.logger.warn(`drain failed: ${String(e)}`));
  }

  private async watch(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnect') this.logger.warn(`nats ${s.type}: ${s.server}`);
    }
  }
}

/** A shared NATS connection (token `NATS_CONNECTION`) for JetStream and direct publish/subscribe. */
@Global()
@Module({})
export class NatsModule {
  static forRoot(options: NatsModuleOptions): DynamicModule {
    return NatsModule.forRootAsync({ useFactory: () => options });
  }

  static forRootAsync(options: NatsModuleAsyncOptions): DynamicModule {
    return {
      module: NatsModule,
      imports: options.imports ?? [],
      providers: [
        { provide: NATS_OPTIONS, inject: options.inject ?? [], useFactory: options.useFactory },
        {
          provide: NATS_CONNECTION,
          inject: [NATS_OPTIONS],
          // Fails start-up with the server's error when NATS is unreachable: the services cannot work without it.
          // Reconnects forever (bounded wait, jitter) unless the caller's options say otherwise.
          // noAsyncTraces: otherwise nats-core builds two Errors (a stack trace each) for every
          // request, in case it fails or times out: 2.4 % of a vendor's CPU under hand-offs
          // (profile in docs/performance.md). Our errors say which request failed anyway.
          useFactory: (o: NatsModuleOptions): Promise<NatsConnection> =>
            connect({
              ...natsReconnectOptions(),
              noAsyncTraces: true,
              ...o.connection,
              servers: o.servers,
              name: o.name,
            }),
        },
        NatsLifecycle,
      ],
      exports: [NATS_CONNECTION],
    };
  }
}
