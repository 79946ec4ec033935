import { type ClientProxy, ClientProxyFactory, NatsRecordBuilder, Transport } from '@nestjs/microservices';
import { headers as natsHeaders } from '@nats-io/nats-core';
import {
  subjects,
  type Reply,
  type TouchstoneReply,
  type VendorKeyReply,
  type WalletCheckoutReply,
  type WalletCheckoutRequest,
} from '#contracts';
import { type NatsIdentityOptions, natsReconnectOptions, NetPayError, PLATFORM_ERROR } from '#platform';
import {
  parseTouchstone,
  parseVendorKeyCertificate,
  type Touchstone,
  type VendorKeyCertificate,
} from '#protocol';
import { firstValueFrom, type Subscription, timeout, TimeoutError } from 'rxjs';
import { statusOf } from '../engine/vendor-errors.js';
import type { BrokerClient } from './broker-client.js';

/**
 * The broker over NATS request/reply. The broker serves these subjects with
 * Nest message handlers in a queue group and answers the contracts'
 * `Reply<T>`; every request has a time-out.
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
    let reply: Reply<T>;
    try {
      // The broker drops a request whose deadline passed while it queued (we stopped waiting).
      const headers = natsHeaders();
      headers.set('x-netpay-deadline', new Date(Date.now() + this.timeoutMs).toISOString());
      const record = new NatsRecordBuilder(data).setHeaders(headers).build();
      reply = await firstValueFrom(this.client.send<Reply<T>>(subject, record).pipe(timeout(this.timeoutMs)));
    } catch (error) {
      if (error instanceof TimeoutError) {
        throw new NetPayError(
          PLATFORM_ERROR.RPC_TIMEOUT,
          `the broker did not answer ${subject} within ${this.timeoutMs} ms`,
          {
            status: 504,
          },
        );
      }
      throw new NetPayError(
        PLATFORM_ERROR.RPC_FAILED,
        `request ${subject} to the broker failed: ${String(error)}`,
        {
          status: 502,
          cause: error,
        },
      );
    }
    if (reply.ok) return reply.value;
    const { code, message } = reply.error;
    const details = (reply.error as { details?: Record<string, unknown> }).details;
    throw new NetPayError(code, message, {
      status: statusOf(code),
      details: { ...details, remote: 'broker' },
    });
  }
}
