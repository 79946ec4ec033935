import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
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
  private readonly lockPath: string;

  constructor(
    private readonly dir: string,
    pseudonym: string,
  ) {
    this.path = join(dir, `wallet-${pseudonym}.json`);
    this.lockPath = `${this.path}.lock`;
  }

  /**
   * Takes the wallet for this process: two processes on one wallet would each sign statements
   * from the same next index (a double-spend proof against an honest owner). The lock file names
   * the holder's pid; one whose process is gone (a crash) is taken over. Throws when a live
   * process holds it.
   */
  lock(): void {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(this.lockPath, String(process.pid), { flag: 'wx', mode: 0o600 });
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = Number(readFileSync(this.lockPath, 'utf8').trim());
      if (Number.isSafeInteger(holder) && holder > 0 && alive(holder))
        throw new Error(
          `${this.path} is in use by process ${holder}: one peer process per wallet (PEER_JOURNAL_DIR and key)`,
        );
      unlinkSync(this.lockPath); // its process is gone
    }
    throw new Error(`${this.lockPath}: could not take the wallet's lock`);
  }

  /** Gives the wallet up (the process stops). */
  unlock(): void {
    try {
      if (readFileSync(this.lockPath, 'utf8').trim() === String(process.pid)) unlinkSync(this.lockPath);
    } catch {
      // not ours, or gone already
    }
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

/** Whether a process with this pid runs (signal 0 checks without sending anything). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
