import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { must } from './api.js';

/** YYYY-MM-DD of `at` in `timeZone` (the business day of a spend made then). */
export function businessDay(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);
}

export interface NightReport {
  readonly sealed?: readonly unknown[];
  readonly outcomes?: readonly {
    readonly vendorId?: string;
    readonly accepted?: number;
    readonly rejected?: number;
    readonly paid?: number;
  }[];
  readonly failures?: readonly unknown[];
}

/** The operator's command: run the night for each business day the demo touched. */
export async function runNights(
  redemptionUrl: string,
  adminToken: string,
  days: readonly string[],
): Promise<NightReport[]> {
  const reports: NightReport[] = [];
  for (const day of [...new Set(days)]) {
    reports.push(
      await must<NightReport>(`${redemptionUrl}/redemption/nights`, { token: adminToken, body: { day } }),
    );
  }
  return reports;
}

export async function bankBalance(brokerUrl: string, adminToken: string, accountId: string): Promise<number> {
  const account = await must<{ balance: number }>(`${brokerUrl}/bank/accounts/${accountId}`, {
    token: adminToken,
  });
  return account.balance;
}

export interface AuditVerdict {
  readonly exitCode: number;
  readonly report: {
    readonly ok?: boolean;
    readonly violationCount?: number;
    readonly violationsByRule?: Readonly<Record<string, number>>;
    readonly replay?: {
      readonly events?: number;
      readonly eventsByType?: Readonly<Record<string, number | undefined>>;
    };
    readonly run?: { readonly eventsPerSecond?: number };
    readonly money?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  };
}

/** Runs the auditor CLI as its own process over the same event store, and reads its JSON report. */
export function runAudit(root: string, env: Readonly<Record<string, string>>): Promise<AuditVerdict> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'dist/apps/auditor/src/main.js'), '--json'], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      try {
        resolve({ exitCode: code ?? 1, report: JSON.parse(out) as AuditVerdict['report'] });
      } catch {
        reject(
          new Error(`the auditor (exit ${String(code)}) did not print a JSON report: ${out.slice(0, 500)}`),
        );
      }
    });
  });
}
