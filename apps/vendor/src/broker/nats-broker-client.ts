import { type ClientProxy, ClientProxyFactory, Transport } from '@nestjs/microservices';
import {
  subjects,
  type TouchstoneReply,
  type VendorKeyReply,
  type WalletCheckoutReply,
  type WalletCheckoutRequest,
} from '#contracts';
import {
  type NatsIdentityOptions,
  natsReconnectOptions,
  NetPayError,
  PLATFORM_ERROR,
  rpcRequest,
} from '#platform';
import {
  parseTouchstone,
  parseVendorKeyCertificate,
  type Touchstone,
  type VendorKeyCertificate,
} from '#protocol';
import type { Subscription } from 'rxjs';
import { knownStatusOf } from '../engine/vendor-errors.js';
import type { BrokerClient } from './broker-client.js';

/**
 * The broker over NATS request/reply. The broker serves these subjects with
 * Nest message handlers in a queue group and answers the one reply envelope
 * (`RpcReply`, the contracts' `Reply<T>`); requests go through `rpcRequest`, with a time-out.
 */
export class NatsBrokerClient implements BrokerClient {
  /** False while the connection is down: requests then fail at once instead of at their time-out. */
  private connected = true;
  private readonly watch: Subscription;

  private constructor(
    private readonly client: ClientProxy,
    private readonly timeoutMs: number,
  ) {
    // Nest's NATS client reports 'disconnected' / 'reconnecting' / 'connected'.
    this.watch = client.status.subscribe((status) => {
      this.connected = String(status) === 'connected';
    });
  }

  static async connect(
    servers: string | string[],
    timeoutMs: number,
    name?: string,
    identity: NatsIdentityOptions = {},
  ): Promise<NatsBrokerClient> {
    const client = ClientProxyFactory.create({
      transport: Transport.NATS,
      // Reconnects forever: after nats.js's default 10 attempts every broker request would fail.
      options: { ...natsReconnectOptions(), ...identity, servers, name },
    });
    await client.connect();
    return new NatsBrokerClient(client, timeoutMs);
  }

  async touchstone(chainId: string): Promise<Touchstone> {
    const reply = await this.request<TouchstoneReply>(subjects.touchstone, { chainId });
    return parseTouchstone(reply.touchstone);
  }

  async vendorCertificates(vendorId: string): Promise<readonly VendorKeyCertificate[]> {
    const reply = await this.request<VendorKeyReply>(subjects.vendorKeys, { vendorId });
    // Malformed entries are skipped: the caller looks for one valid certificate of its key.
    return (reply.certificates ?? []).flatMap((c) => {
      try {
        return [parseVendorKeyCertificate(c)];
      } catch {
        return [];
      }
    });
  }

  async checkoutWallet(request: WalletCheckoutRequest): Promise<WalletCheckoutReply> {
    const reply = await this.request<WalletCheckoutReply>(subjects.walletCheckout, request);
    return { ...reply, touchstone: parseTouchstone(reply.touchstone) };
  }

  async close(): Promise<void> {
    this.watch.unsubscribe();
    await this.client.close();
  }

  private async request<T>(subject: string, data: unknown): Promise<T> {
    if (!this.connected) {
      throw new NetPayError(
        PLATFORM_ERROR.NATS_UNAVAILABLE,
        `NATS is unreachable: cannot ask the broker (${subject}); retry later`,
        { status: 503 },
      );
    }
    // The one request/reply client: time-out, no responders and the reply envelope handled there.
    return rpcRequest<T>(this.client, subject, data, {
      timeoutMs: this.timeoutMs,
      remote: 'broker',
      statusOf: knownStatusOf,
    });
  }
}
