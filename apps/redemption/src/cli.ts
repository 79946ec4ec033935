import { parseArgs } from 'node:util';

/** What the command line asks for: serve (default), or one night now (`run [--day YYYY-MM-DD]`). */
export type Command =
  { readonly kind: 'serve' } | { readonly kind: 'run'; readonly day?: string } | { readonly kind: 'help' };

export const USAGE = `usage: node dist/apps/redemption/src/main.js [serve | run [--day YYYY-MM-DD] | help]
  serve   keep the projection up to date, run the cut-off on REDEMPTION_CRON, serve the HTTP API (default)
  run     run one night now (by default for the business day before today in REDEMPTION_TIME_ZONE),
          print its report as JSON and exit: 0 when every batch is done, 2 when some are left for a rerun,
          3 when another worker holds the lease`;

export class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\n${USAGE}`);
    this.name = 'UsageError';
  }
}

/** The verb and its options through `node:util`'s `parseArgs` (strict: unknown flags and extra words refused). */
export function parseCommand(args: readonly string[]): Command {
  let parsed: { values: { day?: string | undefined; help?: boolean | undefined }; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...args],
      options: { day: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const [verb = 'serve', ...extra] = positionals;
  if (values.help || verb === 'help') return { kind: 'help' };
  if (extra.length > 0) throw new UsageError(`${verb} takes no further words, got ${extra.join(' ')}`);
  switch (verb) {
    case 'serve':
      if (values.day !== undefined) throw new UsageError('serve takes no --day');
      return { kind: 'serve' };
    case 'run':
      if (values.day === undefined) return { kind: 'run' };
      if (!/^\d{4}-\d{2}-\d{2}$/.test(values.day))
        throw new UsageError(`run takes --day YYYY-MM-DD, got ${values.day}`);
      return { kind: 'run', day: values.day };
    default:
      throw new UsageError(`unknown command ${verb}`);
  }
}
