import { jetstream, type JetStreamClient, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { EventStoreUnavailableError } from '../errors.js';
import type {
  AppendOptions,
  AppendResult,
  CheckpointStore,
  EventStore,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../event-store.port.js';
import { runSubscription } from '../shared/subscription-runner.js';
import { OpenSubscriptions } from '../shared/subscriptions.js';
import { assertAppendable, assertStreamName } from '../shared/validation.js';
import { JetStreamAppender } from './jetstream-appender.js';
import type { LeaseRegister } from '../lease/leader-lease.js';
import { JetStreamLeaseRegister } from './jetstream-lease-register.js';
import { JetStreamCheckpointStore } from './jetstream-checkpoint-store.js';
import { ConnectionWatch } from './connection-watch.js';
import { DirectGet } from './jetstream-direct.js';
import { InboxRequests } from './inbox-requests.js';
import {
  type JetStreamEventStoreConfig,
  resolveConfig,
  type ResolvedJetStreamConfig,
} from './jetstream-config.js';
import { edge, isStreamNotFound, translate } from './jetstream-errors.js';
import { openJetStreamFeed } from './jetstream-feed.js';
import { type ReadCapabilities, JetStreamReader } from './jetstream-reader.js';
import { checkpointStreamConfig, checkStream, ensureStream, eventStreamConfig } from './jetstream-setup.js';

/**
 * Event store on NATS JetStream (server 2.9+): one JetStream stream holds every
 * event, one subject per event-store stream, the JetStream sequence is the
 * global position. See the README for concurrency, batches and durability.
 */
export class JetStreamEventStore implements EventStore {
  private readonly appender: JetStreamAppender;
  private readonly reader: JetStreamReader;
  private readonly checkpointStore: JetStreamCheckpointStore;
  private readonly requests: InboxRequests;
  private readonly subscriptions = new OpenSubscriptions();
  private readonly connection: ConnectionWatch;
  private closed = false;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly config: ResolvedJetStreamConfig,
    capabilities: ReadCapabilities,
  ) {
    this.requests = new InboxRequests(nc, config.requestTimeoutMs, config.inboxPrefix);
    // Requests in flight when the connection drops fail now rather than at their time-out.
    this.connection = new ConnectionWatch(nc, () =>
      this.requests.failAll(new EventStoreUnavailableError('JetStream: the connection to NATS was lost')),
    );
    const direct = new DirectGet(this.requests, config.streamName);
    this.reader = new JetStreamReader(js, jsm, direct, config, capabilities);
    this.appender = new JetStreamAppender(this.requests, direct, config, async (stream) => {
      const [last] = await this.reader.readStream(stream, { direction: 'backwards', maxCount: 1 });
      return last;
    });
    this.checkpointStore = new JetStreamCheckpointStore(this.requests, jsm, config);
  }

  /**
   * Connects and checks that the event and checkpoint streams exist as they must; with
   * `provision` (the setup role) creates or updates them. Safe to call from many processes.
   */
  static async connect(config: JetStreamEventStoreConfig): Promise<JetStreamEventStore> {
    const resolved = resolveConfig(config);
    const nc = await edge(`connect to ${resolved.servers.join(',')}`, () =>
      connect({
        servers: resolved.servers,
        name: resolved.connectionName,
        // Forever, with a bounded wait and jitter between attempts.
        maxReconnectAttempts: -1,
        reconnectTimeWait: resolved.reconnectWaitMs,
        reconnectJitter: Math.max(1, Math.round(resolved.reconnectWaitMs / 2)),
        reconnectJitterTLS: Math.max(1, Math.round(resolved.reconnectWaitMs / 2)),
        timeout: resolved.requestTimeoutMs,
        // nats-core otherwise builds an Error (an async stack trace) for every request up front,
        // in case it fails: ~10% of an append's CPU. Our errors say what was being done anyway.
        noAsyncTraces: true,
        ...(resolved.user === undefined ? {} : { user: resolved.user, pass: resolved.pass }),
        ...(resolved.inboxPrefix === undefined ? {} : { inboxPrefix: resolved.inboxPrefix }),
      }),
    );
    try {
      const jsm = await jetstreamManager(nc, { timeout: resolved.requestTimeoutMs });
      const settle = resolved.provision ? ensureStream : checkStream;
      await settle(jsm, eventStreamConfig(resolved));
      await settle(jsm, checkpointStreamConfig(resolved));
      return new JetStreamEventStore(
        nc,
        jetstream(nc, { timeout: resolved.requestTimeoutMs }),
        jsm,
        resolved,
        { batchDirectGet: atLeast(nc.info?.version, 2, 11) },
      );
    } catch (error) {
      await nc.close().catch(() => undefined);
      throw translate(error, 'set up streams');
    }
  }

  /** The setup role's job: creates or updates the event and checkpoint streams, then disconnects. */
  static async provision(config: JetStreamEventStoreConfig): Promise<void> {
    const store = await JetStreamEventStore.connect({ ...config, provision: true });
    await store.close();
  }

  async appendToStream(
    stream: string,
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): Promise<AppendResult> {
    this.assertConnected();
    assertAppendable(stream, events);
    return edge(`append to ${stream}`, () =>
      this.appender.append(stream, events, options?.expectedRevision ?? 'any'),
    );
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertConnected();
    assertStreamName(stream);
    return edge(`read ${stream}`, () => this.reader.readStream(stream, options));
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertConnected();
    return edge('read all', () => this.reader.readAll(options.after, options.maxCount));
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    this.assertOpen();
    return this.subscriptions.track(
      runSubscription(options, this.checkpointStore, (after) =>
        edge(`subscribe ${options.subscriptionId}`, () =>
          openJetStreamFeed(this.js, this.jsm, this.config, after, options.filter),
        ),
      ),
    );
  }

  checkpoints(): CheckpointStore {
    return this.checkpointStore;
  }

  /** A leader-lease register named `name`, replicated with the checkpoints (lease/leader-lease.ts). */
  leaseRegister(name: string): LeaseRegister {
    this.assertOpen();
    return new JetStreamLeaseRegister(this.requests, this.jsm, this.config, name);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.subscriptions.stopAll();
    this.requests.close();
    await this.nc.close().catch(() => undefined);
  }

  /** Deletes the event and checkpoint streams with everything in them (tests and benchmarks only). */
  async deleteStreams(): Promise<void> {
    for (const name of [this.config.streamName, this.config.checkpointStreamName]) {
      await edge(`delete ${name}`, () =>
        this.jsm.streams.delete(name).catch((error: unknown) => {
          if (!isStreamNotFound(error)) throw error;
          return false;
        }),
      );
    }
  }

  /** Whether the connection to NATS is up (false while it reconnects). */
  isConnected(): boolean {
    return !this.closed && this.connection.up;
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreUnavailableError('JetStream event store is closed');
  }

  /** Fails fast while NATS is away: no request could be answered before it is back. */
  private assertConnected(): void {
    this.assertOpen();
    if (!this.connection.up) {
      const seconds = Math.round(this.connection.downForMs() / 1_000);
      throw new EventStoreUnavailableError(`JetStream: NATS is unreachable (reconnecting for ${seconds} s)`);
    }
  }
}

/** Whether a server version (`2.11.15`) is at least major.minor. */
export function atLeast(version: string | undefined, major: number, minor: number): boolean {
  const match = /^v?(\d+)\.(\d+)\./.exec(version ?? '');
  if (!match) return false;
  const [have, haveMinor] = [Number(match[1]), Number(match[2])];
  return have > major || (have === major && haveMinor >= minor);
}
