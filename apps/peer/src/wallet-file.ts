import {
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
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
   * the holder's pid. A live other process's lock refuses this start. A lock whose process is gone
   * (a crash), or that names this very pid without this process holding it (the pid reused after
   * a restart, as in a container), is taken over — by one starter only: it first makes a hard
   * link `<lock>.claim-<pid>` to it, which only one can make, checks the claimed file is still the
   * dead holder's, then puts its own lock in place by rename.
   */
  lock(): void {
    if (HELD.has(this.lockPath)) throw this.inUse(process.pid);
    for (let attempt = 0; attempt < 100; attempt++) {
      if (this.create()) return;
      const holder = holderOf(this.lockPath);
      if (holder === undefined) continue; // gone meanwhile: try again
      if (holder > 0 && holder !== process.pid && alive(holder)) throw this.inUse(holder);
      if (this.takeOver(holder)) return;
      sleep(20); // another starter is taking it over: see who won
    }
    throw new Error(`${this.lockPath}: could not take the wallet's lock`);
  }

  /** Gives the wallet up (the process stops). */
  unlock(): void {
    if (!HELD.delete(this.lockPath)) return;
    try {
      if (holderOf(this.lockPath) === process.pid) unlinkSync(this.lockPath);
    } catch {
      // gone already
    }
  }

  private create(): boolean {
    try {
      writeFileSync(this.lockPath, String(process.pid), { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
    HELD.add(this.lockPath);
    return true;
  }

  private takeOver(stale: number): boolean {
    const claim = `${this.lockPath}.claim-${stale}`;
    try {
      linkSync(this.lockPath, claim);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return false;
      if (code !== 'EEXIST') throw error;
      // A claim left by a starter that died taking over: cleared after a while.
      try {
        if (Date.now() - statSync(claim).mtimeMs > STALE_CLAIM_MS) unlinkSync(claim);
      } catch {
        // cleared by someone else
      }
      return false;
    }
    try {
      // What we linked is the lock as it is now: still the dead holder's, or already a winner's.
      if (holderOf(claim) !== stale) return false;
      const mine = `${this.lockPath}.${process.pid}`;
      writeFileSync(mine, String(process.pid), { mode: 0o600 });
      renameSync(mine, this.lockPath);
      HELD.add(this.lockPath);
      return true;
    } finally {
      try {
        unlinkSync(claim);
      } catch {
        // gone already
      }
    }
  }

  private inUse(pid: number): Error {
    return new Error(
      `${this.path} is in use by process ${pid}: one peer process per wallet (PEER_JOURNAL_DIR and key)`,
    );
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

/** Lock files this process holds. */
const HELD = new Set<string>();
/** A take-over claim older than this was left by a starter that died. */
const STALE_CLAIM_MS = 5_000;

/** The pid a lock file names, or undefined when it is gone or holds no pid. */
function holderOf(path: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const pid = Number(text.trim());
  // A torn or foreign file names no live process: it is taken over like a dead holder's.
  return Number.isSafeInteger(pid) && pid > 0 ? pid : 0;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
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
