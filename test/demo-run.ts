import { spawn } from 'node:child_process';

/** What a demo run printed (stdout and stderr interleaved) and how it exited. */
export interface DemoRun {
  readonly code: number | null;
  readonly out: string;
}

/** Runs the built demo (`dist/apps/demo/src/main.js`) with `args`, on the ports `env` names. */
export function runDemo(args: readonly string[], env: Record<string, string>): Promise<DemoRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['dist/apps/demo/src/main.js', ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.once('exit', (code) => resolve({ code, out }));
  });
}

/** The summary line that starts with `label`, or ''. */
export const line = (out: string, label: string): string =>
  out.split('\n').find((l) => l.startsWith(label)) ?? '';
