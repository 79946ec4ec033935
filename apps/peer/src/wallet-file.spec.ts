import { describe, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
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

  it('taken over from a restarted process that got the same pid (a container): this process holds nothing', () => {
    const dir = folder();
    writeFileSync(join(dir, 'wallet-p_one.json.lock'), String(process.pid));
    const file = new WalletFile(dir, 'p_one');
    expect(() => file.lock()).not.toThrow();
    expect(() => new WalletFile(dir, 'p_one').lock()).toThrow('in use by process');
    file.unlock();
  });

  // Several processes started at once on a wallet whose holder died: exactly one may take it.
  const transformsTypes = Number(process.versions.node.split('.')[0]) >= 23;
  it('taken over by exactly one of several processes starting at once', async () => {
    if (!transformsTypes) {
      console.log('SKIPPED: this Node cannot load TypeScript in a child process (Node 23+ can)');
      return;
    }
    const module = pathToFileURL(resolve('apps/peer/src/wallet-file.ts')).href;
    for (let round = 0; round < 16; round++) {
      const dir = folder();
      const gone = spawnSync(process.execPath, ['-e', '']).pid;
      writeFileSync(join(dir, 'wallet-p_one.json.lock'), String(gone));
      // The holder keeps the wallet until all four have tried (each leaves a mark), however slowly
      // a busy machine starts them: a fixed hold let a late starter find the holder gone (it
      // failed so under a load of 9 on two cores).
      const script = `const { WalletFile } = await import(${JSON.stringify(module)});
const { readdirSync, writeFileSync } = await import('node:fs');
const dir = ${JSON.stringify(dir)};
const mark = () => writeFileSync(dir + '/tried-' + process.pid, '');
const f = new WalletFile(dir, 'p_one');
try {
  f.lock(); mark(); console.log('held');
  const until = Date.now() + 30000;
  while (readdirSync(dir).filter((n) => n.startsWith('tried-')).length < 4 && Date.now() < until)
    await new Promise((r) => setTimeout(r, 20));
} catch (e) { mark(); console.log(String(e.message).includes('in use') ? 'refused' : 'error ' + e.message); }`;
      const outcomes = await Promise.all(
        Array.from(
          { length: 4 },
          () =>
            new Promise<string>((done) => {
              const child = spawn(
                process.execPath,
                ['--experimental-transform-types', '--no-warnings', '--input-type=module', '-e', script],
                { stdio: ['ignore', 'pipe', 'inherit'] },
              );
              let out = '';
              child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
              child.on('close', () => done(out.trim()));
            }),
        ),
      );
      expect(outcomes.sort()).toEqual(['held', 'refused', 'refused', 'refused']);
    }
  }, 180_000);
});
