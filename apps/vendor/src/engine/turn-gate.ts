/**
 * Holds work until the check phase of the current event-loop turn
 * (`setImmediate`), then lets everything that waited go on together.
 *
 * Why: every paid request arrives in an I/O callback of its own, and the NATS
 * client flushes what it buffered at the end of each callback's microtasks, so
 * each spend's append used to be one socket write (a syscall here, a read in
 * nats-server) — 8% of the vendor's CPU samples under load. Appends that wait
 * at the gate are published in one burst after the turn's I/O: one write for
 * all the spends decided in that turn, a group commit that costs no more than
 * the rest of the turn in latency. Different chains only; a chain's own spends
 * stay ordered by its lock.
 */
export class TurnGate {
  private opened: Promise<void> | undefined;

  /** Resolves in this turn's check phase (with every other waiter of the turn). */
  next(): Promise<void> {
    this.opened ??= new Promise<void>((resolve) => {
      setImmediate(() => {
        this.opened = undefined;
        resolve();
      });
    });
    return this.opened;
  }
}
