import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { DoubleSpendProof, PseudonymCertificate, SignedIndexStatement } from '#protocol';

/** One line of a peer's journal. */
export type JournalEntry =
  | { readonly kind: 'certificate'; readonly certificate: PseudonymCertificate }
  | {
      readonly kind: 'accepted';
      readonly statement: SignedIndexStatement;
      readonly digest: string;
      /** Whether the spend is in the event store already (`false`: uploaded at redemption). */
      readonly recorded: boolean;
      readonly at: string;
    }
  | { readonly kind: 'proof'; readonly proof: DoubleSpendProof; readonly reported: boolean }
  | {
      readonly kind: 'redeemed';
      readonly redemptionId: string;
      readonly digests: readonly string[];
      readonly proofs: number;
    };

/**
 * The S-peer's own durable record (JSON lines, fsync'd before a payment is answered): what it
 * accepted, whether the store has it, proofs it holds and what it redeemed. It is what lets an
 * S-peer keep selling while it cannot reach the store or the CIS: at redemption it uploads
 * everything the CIS has not paid yet.
 */
export class Journal {
  readonly accepted = new Map<string, Extract<JournalEntry, { kind: 'accepted' }>>();
  readonly proofs: Extract<JournalEntry, { kind: 'proof' }>[] = [];
  readonly redeemed = new Set<string>();
  certificate: PseudonymCertificate | undefined;
  private readonly file: string | undefined;
  /** The file ends in a torn line (a crash mid-write): the next entry starts on a line of its own. */
  private torn = false;

  /** `dir` undefined: memory only (unit tests). */
  constructor(dir: string | undefined) {
    if (dir === undefined) return;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.file = join(dir, 'journal.jsonl');
    if (existsSync(this.file)) {
      const text = readFileSync(this.file, 'utf8');
      this.torn = text.length > 0 && !text.endsWith('\n');
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue;
        try {
          this.apply(JSON.parse(line) as JournalEntry);
        } catch {
          // A torn last line (crash mid-write): it was never acknowledged, so it is dropped.
        }
      }
    }
  }

  write(entry: JournalEntry): void {
    if (this.file !== undefined) {
      const fd = openSync(this.file, 'a', 0o600);
      try {
        writeSync(fd, `${this.torn ? '\n' : ''}${JSON.stringify(entry)}\n`);
        this.torn = false;
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    this.apply(entry);
  }

  onChain(chainId: string): Extract<JournalEntry, { kind: 'accepted' }>[] {
    return [...this.accepted.values()].filter((a) => a.statement.chainId === chainId);
  }

  unredeemed(): SignedIndexStatement[] {
    return [...this.accepted.values()].filter((a) => !this.redeemed.has(a.digest)).map((a) => a.statement);
  }

  unreportedProofs(): DoubleSpendProof[] {
    return this.proofs.filter((p) => !p.reported).map((p) => p.proof);
  }

  private apply(entry: JournalEntry): void {
    switch (entry.kind) {
      case 'certificate':
        this.certificate = entry.certificate;
        return;
      case 'accepted': {
        const before = this.accepted.get(entry.digest);
        this.accepted.set(entry.digest, before?.recorded ? before : entry);
        return;
      }
      case 'proof':
        this.proofs.push(entry);
        return;
      case 'redeemed':
        for (const d of entry.digests) this.redeemed.add(d);
        if (entry.proofs > 0) for (const p of this.proofs) (p as { reported: boolean }).reported = true;
        return;
    }
  }
}
