import type { NatsConnection } from '@nats-io/nats-core';

/**
 * Follows the connection's status, so that while the server is away a request fails at once
 * (EVENT_STORE.UNAVAILABLE) instead of each waiting out the request time-out: a vendor's
 * clients would otherwise pile up behind 5 s waits for as long as the outage lasts. The
 * connection itself reconnects forever; `up` turns true again when it has.
 */
export class ConnectionWatch {
  private connected = true;
  private since = 0;

  constructor(
    nc: NatsConnection,
    private readonly onDown: () => void = () => undefined,
  ) {
    void this.follow(nc);
  }

  get up(): boolean {
    return this.connected;
  }

  /** Milliseconds since the connection was lost (0 while it is up). */
  downForMs(now = Date.now()): number {
    return this.connected ? 0 : now - this.since;
  }

  private async follow(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect' || status.type === 'reconnecting') {
        if (this.connected) {
          this.connected = false;
          this.since = Date.now();
          this.onDown();
        }
      } else if (status.type === 'reconnect') {
        this.connected = true;
      }
    }
  }
}
