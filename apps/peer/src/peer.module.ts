import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  type DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { createEventStore, type EventStore, type EventStoreSettings } from '#event-store';
import { CLOCK, type Clock, IdempotencyModule, PlatformModule } from '#platform';
import { createSigner, type PublicKeyRecord } from '#protocol';
import { PeerConfig } from './peer.config.js';
import { PeerContentController, PeerControlController } from './peer.controller.js';
import { PeerCore, type SharedContent } from './peer.core.js';

export const PEER_VERSION = '0.1.0';
const STORE_SETTINGS = Symbol.for('netpay.peer.store-settings');

export function cisKeyRing(entries: readonly string[]): PublicKeyRecord[] {
  return entries.map((e) => {
    const [keyId, publicKey] = e.split(':') as [string, string];
    return { keyId, publicKey };
  });
}

/** Every regular file of the content directory, one shared item each (id: the file name). */
export function contentFromDir(dir: string, price: number): SharedContent[] {
  return readdirSync(dir)
    .filter((name) => /^[A-Za-z0-9_.-]{1,64}$/.test(name) && statSync(join(dir, name)).isFile())
    .sort()
    .map((name) => ({
      contentId: name,
      title: name.replace(/[_-]/g, ' '),
      price,
      bytes: readFileSync(join(dir, name)),
    }));
}

/** Registers and announces (retrying until the CIS answers), heartbeats, and (re)connects the store. */
@Injectable()
class PeerLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Peer');
  private timers: NodeJS.Timeout[] = [];
  private store: EventStore | undefined;
  private started = false;

  constructor(
    private readonly peer: PeerCore,
    private readonly config: PeerConfig,
    @Inject(STORE_SETTINGS) private readonly storeSettings: EventStoreSettings | undefined,
  ) {}

  onApplicationBootstrap(): void {
    const tick = (): void => {
      void this.step();
    };
    tick();
    const t = setInterval(tick, this.config.heartbeatMs);
    t.unref();
    this.timers.push(t);
  }

  private async step(): Promise<void> {
    if (this.storeSettings && !this.store) {
      try {
        this.store = await createEventStore(this.storeSettings);
        this.peer.attachStore(this.store);
        this.logger.log('event store reached: spends are recorded at once');
      } catch (error) {
        this.logger.warn(`event store unreachable, selling on the journal: ${String(error)}`);
      }
    }
    try {
      if (!this.started) {
        const pseudonym = await this.peer.start();
        this.started = true;
        this.logger.log(`registered at the CIS as ${pseudonym}`);
      } else {
        await this.peer.heartbeat();
        await this.peer.refreshRevocations();
      }
    } catch (error) {
      this.logger.warn(`CIS unreachable, selling off-line: ${String(error)}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.store?.close();
    this.peer.close();
  }
}

export interface PeerModuleOptions {
  readonly config: PeerConfig;
  readonly storeSettings?: EventStoreSettings;
  readonly clock?: Clock;
}

@Module({})
export class PeerModule {
  static forRoot(options: PeerModuleOptions): DynamicModule {
    const { config } = options;
    return {
      module: PeerModule,
      imports: [
        PlatformModule.forRoot({
          name: 'peer',
          version: PEER_VERSION,
          ...(options.clock ? { clock: options.clock } : {}),
        }),
        // The owner's control POSTs take an Idempotency-Key: a retried buy buys once. The peer has
        // no Redis of its own, so the answers are kept in this process (a restart forgets them).
        IdempotencyModule.forRoot({ store: 'memory' }),
      ],
      controllers: [PeerContentController, PeerControlController],
      providers: [
        { provide: PeerConfig, useValue: config },
        {
          provide: STORE_SETTINGS,
          useValue: config.spendRecording === 'none' ? undefined : options.storeSettings,
        },
        {
          provide: PeerCore,
          inject: [CLOCK],
          useFactory: (clock: Clock) => {
            const peer = new PeerCore({
              identity: config.identity,
              signer: createSigner(config.keyId, config.key),
              cisUrl: config.cisUrl,
              cisKeys: cisKeyRing(config.cisPublicKeys),
              clock,
              endpoint: config.publicUrl ?? `http://127.0.0.1:${config.port}`,
              journalDir: config.journalDir,
            });
            if (config.contentDir)
              for (const c of contentFromDir(config.contentDir, config.price)) peer.share(c);
            return peer;
          },
        },
        PeerLifecycle,
      ],
    };
  }
}
