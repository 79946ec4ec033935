import { connect, type NatsConnection } from '@nats-io/transport-node';
import { queues, subjects, type Reply, type RevocationNotice } from '#contracts';
import { testNatsIdentity } from '#event-store/testing';
import { NetPayError } from '#platform';
import { parseSignedCheckoutRequest } from '#protocol';
import type { InMemoryBroker } from './in-memory-broker.js';

/**
 * Serves an `InMemoryBroker` on the broker's NATS subjects with Nest's
 * message framing ({ pattern, data, id } → { id, response, isDisposed }),
 * answering `Reply<T>` like the real broker's handlers. For vendor tests
 * that must not depend on the broker app.
 */
export class NatsStubBroker {
  private constructor(
    private readonly nc: NatsConnection,
    readonly broker: InMemoryBroker,
  ) {}

  static async start(url: string, broker: InMemoryBroker): Promise<NatsStubBroker> {
    // It plays the broker, with the broker's identity.
    const nc = await connect({ ...testNatsIdentity('broker'), servers: url, name: 'stub-broker' });
    const stub = new NatsStubBroker(nc, broker);
    stub.serve(subjects.touchstone, async (d) => ({
      touchstone: await broker.touchstone(String(d.chainId)),
    }));
    stub.serve(subjects.brokerKeys, async () => ({ keys: await broker.brokerKeys() }));
    stub.serve(subjects.vendorKeys, async (d) => ({
      vendorId: d.vendorId,
      keys: await broker.vendorKeys(String(d.vendorId)),
      certificates: await broker.vendorCertificates(String(d.vendorId)),
    }));
    stub.serve(subjects.walletCheckout, (d) => broker.checkoutWallet(parseSignedCheckoutRequest(d)));
    await nc.flush();
    return stub;
  }

  /** The broker's CRL broadcast (sign it with `broker.signer`, or don't, to test a forgery). */
  async revoke(notice: RevocationNotice | Record<string, unknown>): Promise<void> {
    this.nc.publish(subjects.revocation, JSON.stringify(notice));
    await this.nc.flush();
  }

  async stop(): Promise<void> {
    await this.nc.drain();
  }

  private serve(subject: string, answer: (data: Record<string, unknown>) => Promise<unknown>): void {
    this.nc.subscribe(subject, {
      queue: queues.broker,
      callback: (_, msg) => {
        const packet = msg.json<{ id: string; data: Record<string, unknown> }>();
        void answer(packet.data ?? {})
          .then((value): Reply<unknown> => ({ ok: true, value }))
          .catch((error: unknown): Reply<unknown> => {
            const e = error instanceof NetPayError ? error : new NetPayError('INTERNAL', String(error));
            return {
              ok: false,
              // The status too, as the broker's envelope carries it (RpcErrorReply).
              error: {
                code: e.code,
                message: e.message,
                status: e.status,
                ...(e.details ? { details: e.details } : {}),
              },
            };
          })
          .then((response) => msg.respond(JSON.stringify({ id: packet.id, response, isDisposed: true })));
      },
    });
  }
}
