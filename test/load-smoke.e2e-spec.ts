import { describe, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** k6 is on PATH or built already, or Go is there to build the pinned one (scripts/k6.mjs). */
function k6OrGo(): boolean {
  const onPath = (binary: string): boolean => spawnSync('sh', ['-c', `command -v ${binary}`]).status === 0;
  const stackDir = process.env.NETPAY_STACK_DIR ?? join(process.cwd(), '.stack');
  return (
    !!process.env.K6_BIN ||
    onPath('k6') ||
    existsSync(join(stackDir, 'bin', 'k6')) ||
    onPath('go') ||
    existsSync('/usr/local/go/bin/go')
  );
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1_000) })).ok;
  } catch {
    return false;
  }
}

interface LoadSummary {
  readonly scenario: string;
  readonly ok: boolean;
  readonly spends: { readonly accepted: number; readonly handOffs: number };
  readonly doubleSpendsAccepted: number;
  readonly replaysRefused: number;
  readonly purchases: number;
  readonly warmUp: { readonly seconds: number; readonly spends: number };
  readonly endpoints: Readonly<Record<string, { readonly requests: number; readonly p95Ms: number }>>;
}

// Ports of its own, so the stack the script starts does not meet `npm start` or other tests.
const base = 24_000 + (process.pid % 300) * 10;
const brokerUrl = `http://127.0.0.1:${base}`;

const available = k6OrGo();
if (!available) console.log('load smoke: SKIPPED — neither k6 nor Go (to build k6) is installed');
const itWithK6 = available ? it : it.skip;

describe('npm run load -- smoke', () => {
  itWithK6(
    'starts its own stack, seeds, spends under k6 with zero double spends accepted, and stops the stack',
    async () => {
      const summaryFile = join(mkdtempSync(join(tmpdir(), 'netpay-load-')), 'smoke-summary.json');
      const child = spawn(process.execPath, ['scripts/load.mjs', 'smoke'], {
        env: {
          ...process.env,
          BROKER_URL: brokerUrl,
          REDEMPTION_PORT: String(base + 1),
          VENDOR_BASE_PORT: String(base + 2),
          SUMMARY_FILE: summaryFile,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      child.stderr.on('data', (b: Buffer) => (out += b.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      if (code !== 0) console.log(out);
      expect(code).toBe(0);
      expect(out).toContain('load: starting the stack');
      expect(out).toMatch(/dropped stream NETPAY_LOAD_/);

      const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as LoadSummary;
      expect(summary.scenario).toBe('smoke');
      expect(summary.ok).toBe(true);
      expect(summary.spends.accepted).toBeGreaterThan(0);
      expect(summary.purchases).toBeGreaterThan(0);
      expect(summary.doubleSpendsAccepted).toBe(0);
      expect(summary.endpoints.spend?.requests).toBeGreaterThan(0);
      // The warm-up spent each VU's chains once before the measured phase, apart from its figures.
      expect(summary.warmUp.seconds).toBeGreaterThan(0);
      expect(summary.warmUp.spends).toBeGreaterThan(0);
      expect(summary.endpoints['warm-up']?.requests).toBe(summary.warmUp.spends);
      // The script stopped the stack it started.
      expect(await answers(`${brokerUrl}/health`)).toBe(false);
    },
    600_000,
  );
});
