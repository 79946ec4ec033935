import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { WalletState } from '@netpay/wallet';

/** What an R-peer keeps of its wallet across restarts. */
export interface WalletRecord {
  /** The run its purchases derive their CIS keys from: a purchase retried after a restart is the same one. */
  readonly run: string;
  /** The chains (seeds included) and every payment prepared, so no index is ever signed twice. */
  readonly state: WalletState;
}

/**
 * The R-peer's wallet on disk, one file per pseudonym beside the journal (owner-only: it holds
 * the chains' seeds). Each save replaces the file whole — written, fsync'd, renamed, the folder
 * fsync'd — before the payment it records is shown to anyone: after a crash the file is the last
 * save or the one before, never a torn mix, and a wallet restored from it never signs a position
 * it had shown before.
 */
export class WalletFile {
  private readonly path: string;

  constructor(
    private readonly dir: string,
    pseudonym: string,
  ) {
    this.path = join(dir, `wallet-${pseudonym}.json`);
  }

  load(): WalletRecord | undefined {
    if (!existsSync(this.path)) return undefined;
    const record = JSON.parse(readFileSync(this.path, 'utf8')) as Partial<WalletRecord>;
    if (typeof record.run !== 'string' || typeof record.state !== 'object' || record.state === null)
      throw new Error(`${this.path} is not an R-peer wallet (no run or state)`);
    return record as WalletRecord;
  }

  save(record: WalletRecord): void {
    const temporary = `${this.path}.next`;
    const fd = openSync(temporary, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(record));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.path);
    const folder = openSync(this.dir, 'r');
    try {
      fsyncSync(folder);
    } finally {
      closeSync(folder);
    }
  }
}
