import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WalletFile } from './wallet-file.js';

const folder = (): string => mkdtempSync(join(tmpdir(), 'netpay-wallet-file-'));

describe('WalletFile', () => {
  it('gives back what was saved last, per pseudonym', () => {
    const dir = folder();
    const mine = new WalletFile(dir, 'p_one');
    expect(mine.load()).toBeUndefined();
    mine.save({ run: 'r1', state: { chains: [], purchases: [] } });
    mine.save({ run: 'r1', state: { chains: [], purchases: [] } });
    expect(mine.load()).toEqual({ run: 'r1', state: { chains: [], purchases: [] } });
    expect(new WalletFile(dir, 'p_two').load()).toBeUndefined();
  });

  it('ignores a save a crash cut short (the replaced file is whole) and refuses a file that is no wallet', () => {
    const dir = folder();
    const file = new WalletFile(dir, 'p_one');
    file.save({ run: 'r1', state: { chains: [], purchases: [] } });
    writeFileSync(join(dir, 'wallet-p_one.json.next'), '{"run":"r1","sta');
    expect(file.load()?.run).toBe('r1');
    writeFileSync(join(dir, 'wallet-p_one.json'), '{"chains":[]}');
    expect(() => file.load()).toThrow('is not an R-peer wallet');
  });

  it('is one process’s: refused while a live process holds it, taken over from one that is gone', () => {
    const dir = folder();
    const file = new WalletFile(dir, 'p_one');
    file.lock();
    expect(() => new WalletFile(dir, 'p_one').lock()).toThrow(`in use by process ${process.pid}`);
    file.unlock();
    expect(existsSync(join(dir, 'wallet-p_one.json.lock'))).toBe(false);
    // A crashed holder left its lock behind: its pid runs no more.
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(join(dir, 'wallet-p_one.json.lock'), String(gone));
    expect(() => file.lock()).not.toThrow();
  });
});
