import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// k6 is AGPL-3.0: NetPay uses a k6 the user installed, and never fetches or builds one.

const root = process.cwd();

/** A PATH with node and a shell, and surely no k6. */
function pathWithoutK6(): string {
  const bin = mkdtempSync(join(tmpdir(), 'netpay-no-k6-'));
  symlinkSync(process.execPath, join(bin, 'node'));
  return `${bin}:/usr/bin:/bin`;
}

function run(args: string[], env: Record<string, string> = {}): { status: number | null; out: string } {
  const inherited = { ...process.env };
  delete inherited.K6_BIN;
  const envNoK6 = { ...inherited, PATH: pathWithoutK6(), ...env };
  const r = spawnSync(process.execPath, args, {
    cwd: root,
    encoding: 'utf8',
    env: { ...envNoK6, BROKER_URL: 'http://127.0.0.1:9' },
    timeout: 30_000,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function files(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(root, path)).isDirectory() ? files(path) : [path];
  });
}

describe('without k6', () => {
  it('`npm run load -- <scenario>` says how to install k6 and exits 1, before starting anything', () => {
    const { status, out } = run(['scripts/load.mjs', 'smoke']);
    expect(status).toBe(1);
    expect(out).toContain('k6 was not found');
    expect(out).toMatch(/K6_BIN/);
    expect(out).toMatch(/install it yourself/);
    expect(out).toContain('--vegeta');
    expect(out).not.toContain('starting the stack');
  });

  it('a K6_BIN that does not exist is said so', () => {
    const { status, out } = run(['scripts/k6.mjs'], { K6_BIN: '/nonexistent/k6' });
    expect(status).toBe(1);
    expect(out).toContain('K6_BIN=/nonexistent/k6 does not exist');
  });

  it('nothing of the load tooling fetches or builds k6', () => {
    const tooling = [...files('scripts'), ...files('load-tests'), 'package.json'];
    for (const file of tooling) {
      const text = readFileSync(join(root, file), 'utf8');
      expect({ file, fetchesK6: /go\.k6\.io|grafana\/k6|k6\/releases\/download/.test(text) }).toEqual({
        file,
        fetchesK6: false,
      });
    }
  });
});
