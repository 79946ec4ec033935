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

export function parseCommand(args: readonly string[]): Command {
  const [verb = 'serve', ...rest] = args;
  switch (verb) {
    case 'serve':
      if (rest.length > 0) throw new UsageError(`serve takes no arguments, got ${rest.join(' ')}`);
      return { kind: 'serve' };
    case 'help':
    case '--help':
    case '-h':
      return { kind: 'help' };
    case 'run': {
      if (rest.length === 0) return { kind: 'run' };
      const [flag, value, ...extra] = rest;
      const day = flag?.startsWith('--day=')
        ? flag.slice('--day='.length)
        : flag === '--day'
          ? value
          : undefined;
      const leftover = flag?.startsWith('--day=') ? [value, ...extra].filter((x) => x !== undefined) : extra;
      if (day === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(day) || leftover.length > 0) {
        throw new UsageError(`run takes --day YYYY-MM-DD, got ${rest.join(' ')}`);
      }
      return { kind: 'run', day };
    }
    default:
      throw new UsageError(`unknown command ${verb}`);
  }
}
