import { parseArgs } from 'node:util';

export interface CliOptions {
  readonly help: boolean;
  readonly json: boolean;
  readonly from: bigint | undefined;
  readonly chainId: string | undefined;
  readonly brokerKeyFiles: readonly string[];
  readonly brokerRootKeyFiles: readonly string[];
  /** \`--env <file>\`: variables read from it are laid over the environment. */
  readonly envFile?: string;
  readonly pageSize: number;
  readonly maxFindings: number;
  /** Violations printed in the human summary (all are in `--json`). */
  readonly show: number;
  readonly crossCheck: boolean;
}

export class UsageError extends Error {
  readonly code = 'AUDIT.USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `Usage: netpay-audit [options]        (or: npm run audit -- [options])

Replays NetPay's event store and checks every invariant of DESIGN §5 by rebuilding each
chain from its events and re-verifying every signature and hash.

Options:
  --from <position>      replay only the events after this global position
                         (history before it is read per stream and folded in, not checked)
  --chain <chainId>      audit one chain: its history, state and findings
  --broker-keys <file>   broker public keys: JSON ([{keyId, publicKey}], or {keys: [...]} as
                         served by GET /keys) or lines of keyId:publicKeyHex; repeatable.
                         Also from BROKER_PUBLIC_KEYS (inline) or BROKER_PUBLIC_KEYS_FILE.
                         The redemption worker's keys (its verdicts and reservations must
                         carry its signature) from REDEMPTION_PUBLIC_KEYS or _FILE, same forms;
                         REDEMPTION_LEGACY_UNSIGNED_UNTIL=<position> accepts unsigned ones up to it.
  --env <file>           KEY=VALUE lines (the file \`npm run demo -- --keep\` writes): event store,
                         NATS identity and keys of the run to audit; they win over the environment.
  --broker-root-keys <file>  the broker's root keys (same forms; also BROKER_ROOT_PUBLIC_KEYS):
                         the keys of every key list they signed in the log are trusted too.
  --json                 print the full report as JSON (positions as strings)
  --show <n>             violations listed in the summary (default 50)
  --page-size <n>        events per read (default 5000)
  --max-findings <n>     findings kept in full per kind (default 10000; counts stay exact)
  --no-cross-check       hash with the auditor's own step only (default: also the protocol lib's)
  -h, --help             this text

Event store (the services' variables): EVENT_STORE=jetstream|eventstoredb, NATS_URL,
EVENT_STORE_STREAM, EVENT_STORE_SUBJECT_PREFIX, EVENTSTORE_CONNECTION_STRING, EVENT_STORE_TIMEOUT_MS.
Business days (R3.SPENT_NOT_SEALED): REDEMPTION_TIME_ZONE, as the redemption worker (default
Pacific/Auckland).

Exit status: 0 no violation, 1 violations found, 2 usage or configuration error,
3 the event store could not be read.`;

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`--${name} must be a positive integer, got "${value}"`);
  }
  return n;
}

export function parseCliArgs(argv: readonly string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      allowNegative: true,
      options: {
        help: { type: 'boolean', short: 'h', default: false },
        json: { type: 'boolean', default: false },
        from: { type: 'string' },
        chain: { type: 'string' },
        'broker-keys': { type: 'string', multiple: true },
        'broker-root-keys': { type: 'string', multiple: true },
        env: { type: 'string' },
        'page-size': { type: 'string' },
        'max-findings': { type: 'string' },
        show: { type: 'string' },
        'cross-check': { type: 'boolean', default: true },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const v = parsed.values;
  if (v.from !== undefined && !/^\d+$/.test(v.from)) {
    throw new UsageError(`--from must be a global position (a non-negative integer), got "${v.from}"`);
  }
  if (v.chain !== undefined && !/^[A-Za-z0-9_]{1,64}$/.test(v.chain)) {
    throw new UsageError(`--chain must be a chain id (1-64 of A-Z a-z 0-9 _), got "${v.chain}"`);
  }
  return {
    help: v.help,
    json: v.json,
    from: v.from === undefined ? undefined : BigInt(v.from),
    chainId: v.chain,
    brokerKeyFiles: v['broker-keys'] ?? [],
    brokerRootKeyFiles: v['broker-root-keys'] ?? [],
    envFile: v.env,
    pageSize: positiveInt('page-size', v['page-size'], 5_000),
    maxFindings: positiveInt('max-findings', v['max-findings'], 10_000),
    show: v.show === '0' ? 0 : positiveInt('show', v.show, 50),
    crossCheck: v['cross-check'],
  };
}
