import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
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
});
