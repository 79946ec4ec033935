import { beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePortBlock } from './ports.js';

// CI's smoke run sends its load with vegeta (MIT), built on demand with Go into .stack/bin
// (load-tests/open/vegeta.mjs): NetPay never installs k6 (AGPL-3.0).
const stackDir = process.env.NETPAY_STACK_DIR ?? join(process.cwd(), '.stack');
const goThere = (): boolean =>
  !!process.env.VEGETA_BIN ||
  existsSync(join(stackDir, 'bin', 'vegeta')) ||
  spawnSync('sh', ['-c', 'command -v go']).status === 0 ||
  existsSync('/usr/local/go/bin/go');

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
  readonly generator: { readonly name: string; readonly licence: string };
  readonly sent: { readonly requests: number; readonly notSent: number };
  readonly offered: { readonly requests: number };
  readonly droppedIterations: number;
  readonly spends: { readonly accepted: number; readonly handOffs: number };
  readonly doubleSpendsAccepted: number;
  readonly replaysRefused: number;
  readonly purchases: number;
  readonly warmUp: { readonly seconds: number; readonly spends: number };
  readonly endpoints: Readonly<
    Record<string, { readonly requests: number; readonly errors: number; readonly p95Ms: number }>
  >;
}

// Ports of its own, proved free, so the stack the script starts meets neither `npm start`, other
// tests nor anything else listening on this machine. Chosen in beforeAll.
let base = 0;
let brokerUrl = '';

const available = goThere();
if (!available) console.log('load smoke: SKIPPED — no vegeta, and no Go to build it');
const itWithVegeta = available ? it : it.skip;

describe('npm run load -- smoke --vegeta', () => {
  beforeAll(async () => {
    base = await freePortBlock(5);
    brokerUrl = `http://127.0.0.1:${base}`;
    if (!available) return;
    // Built (about a minute, once) before the run, so that the run's own time is the run's.
    const built = spawnSync(process.execPath, ['load-tests/open/vegeta.mjs'], { stdio: 'inherit' });
    expect(built.status).toBe(0);
  }, 600_000);

  /** `scripts/load.mjs <scenario> --vegeta` on this test's ports: its exit code, output and summary. */
  async function runLoad(
    scenario: string,
    env: Record<string, string> = {},
  ): Promise<{ code: number | null; out: string; summary: LoadSummary }> {
    const summaryFile = join(mkdtempSync(join(tmpdir(), 'netpay-load-')), `${scenario}-summary.json`);
    const child = spawn(process.execPath, ['scripts/load.mjs', scenario, '--vegeta'], {
      env: {
        ...process.env,
        ...env,
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
    return { code, out, summary: JSON.parse(readFileSync(summaryFile, 'utf8')) as LoadSummary };
  }

  itWithVegeta(
    'starts its own stack, seeds, sends every planned payment with zero errors and zero double spends accepted, and stops the stack',
    async () => {
      const { code, out, summary } = await runLoad('smoke');
      expect(code).toBe(0);
      expect(out).toContain('load: starting the stack');
      expect(out).toMatch(/dropped stream NETPAY_LOAD_/);

      expect(summary.scenario).toBe('smoke');
      expect(summary.generator).toMatchObject({ name: 'vegeta', licence: 'MIT' });
      expect(summary.ok).toBe(true);
      // every planned request sent, and every answer as expected (receipt, content, refusal code)
      expect(summary.sent.notSent).toBe(0);
      expect(summary.droppedIterations).toBe(0);
      expect(summary.sent.requests).toBe(summary.offered.requests);
      for (const [endpoint, e] of Object.entries(summary.endpoints))
        expect({ endpoint, errors: e.errors }).toEqual({ endpoint, errors: 0 });
      expect(summary.replaysRefused).toBeGreaterThan(0);
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

  itWithVegeta(
    'runs a ramping scenario (a short issuance burst) as one-second segments: every request sent and answered',
    async () => {
      const { code, out, summary } = await runLoad('issuance', {
        RATE: '20',
        BASE_RATE: '2',
        BURSTS: '1',
        BURST: '3s',
        CALM: '2s',
        VUS: '20',
      });
      expect(code).toBe(0);
      expect(summary.scenario).toBe('issuance');
      expect(summary.ok).toBe(true);
      // 5 s up to 20/s, 3 s at 20/s, 5 s down to 2/s, 2 s at 2/s: 55 + 60 + 55 + 4 requests
      expect(summary.offered.requests).toBe(174);
      expect(summary.sent.requests).toBe(174);
      expect(summary.sent.notSent).toBe(0);
      for (const [endpoint, e] of Object.entries(summary.endpoints))
        expect({ endpoint, errors: e.errors }).toEqual({ endpoint, errors: 0 });
      expect(summary.endpoints.register?.requests).toBe(87);
      expect(summary.purchases).toBe(87);
      // one attack a second of the ramps, one for each flat stretch
      expect(out).toMatch(/vegeta: 174 requests/);
      expect(await answers(`${brokerUrl}/health`)).toBe(false);
    },
    600_000,
  );
});
