import { signReceipts, type Receipt, type ReceiptBody, type Signer } from '#protocol';
import { TurnGate } from './turn-gate.js';

/** Most receipts one signature covers (a path of at most 8 hashes). */
export const MAX_RECEIPT_BATCH = 256;

interface Waiter {
  readonly body: ReceiptBody;
  readonly resolve: (receipt: Receipt) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Signs the receipts of one event-loop turn with one Ed25519 signature.
 *
 * Why: signing each receipt (`crypto.sign`, ~36 µs) was the largest single
 * cost of a vendor under load, ~15 % of its CPU. `sign(body)` queues the body;
 * in the turn's check phase (a `TurnGate`, as the appends use) everything
 * queued is signed with `signReceipts` — one signature per batch of up to
 * `maxBatch`, each receipt carrying its inclusion proof (a batch of one is a
 * plain receipt). A receipt waits at most for the rest of the turn.
 *
 * No waiter is ever lost: when a batch cannot be signed, each of its bodies
 * is signed alone, so one bad body fails only its own receipt, and a failing
 * signer rejects every waiter.
 */
export class ReceiptBatcher {
  private queue: Waiter[] = [];
  private readonly gate = new TurnGate();

  constructor(
    private readonly signer: Signer,
    private readonly maxBatch = MAX_RECEIPT_BATCH,
  ) {
    if (!Number.isSafeInteger(maxBatch) || maxBatch < 1) {
      throw new RangeError(`maxBatch must be a positive integer, got ${maxBatch}`);
    }
  }

  /** The key id receipts must name. */
  get keyId(): string {
    return this.signer.keyId;
  }

  /** Resolves with the signed receipt in this turn's check phase. */
  sign(body: ReceiptBody): Promise<Receipt> {
    return new Promise<Receipt>((resolve, reject) => {
      // The first body of a turn opens the gate's wait; the rest of the turn joins its queue.
      if (this.queue.push({ body, resolve, reject }) === 1) void this.gate.next().then(() => this.flush());
    });
  }

  private flush(): void {
    const waiting = this.queue;
    this.queue = [];
    for (let from = 0; from < waiting.length; from += this.maxBatch) {
      this.signBatch(waiting.slice(from, from + this.maxBatch));
    }
  }

  private signBatch(batch: readonly Waiter[]): void {
    let receipts: Receipt[];
    try {
      receipts = signReceipts(
        batch.map((w) => w.body),
        this.signer,
      );
    } catch (error) {
      if (batch.length === 1) batch[0]!.reject(error);
      else for (const waiter of batch) this.signAlone(waiter);
      return;
    }
    batch.forEach((waiter, i) => waiter.resolve(receipts[i]!));
  }

  private signAlone(waiter: Waiter): void {
    try {
      waiter.resolve(signReceipts([waiter.body], this.signer)[0]!);
    } catch (error) {
      waiter.reject(error);
    }
  }
}
