import type { Subscription } from '../event-store.port.js';

/** The subscriptions a store has opened, so that closing the store stops them cleanly first. */
export class OpenSubscriptions {
  private readonly open = new Set<Subscription>();

  track(subscription: Subscription): Subscription {
    this.open.add(subscription);
    void subscription.done.then(
      () => this.open.delete(subscription),
      () => this.open.delete(subscription),
    );
    return subscription;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.open].map((s) => s.stop()));
  }
}
