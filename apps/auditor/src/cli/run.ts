import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseEnv } from 'node:util';
import { loadConfig } from '#config';
import type { PublicKeyRecord } from '#protocol';
import { createEventStore, eventStoreSettings, type EventStore, type EventStoreSettings } from '#event-store';
import { Audit } from '../core/audit.js';
import { AuditorConfig } from './auditor.config.js';
import { parseCliArgs, USAGE, UsageError, type CliOptions } from './args.js';
import { loadBrokerKeys, parseBrokerKeys } from './broker-keys.js';
import { renderJson, type RunInfo } from './render-json.js';
import { renderText } from './render-text.js';
import { replayProgress } from './progress.js';
import { replayStore } from './replay.js';

export const EXIT = { OK: 0, VIOLATIONS: 1, USAGE: 2, STORE: 3 } as const;

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Milliseconds, for the events-per-second figure. */
  now(): number;
  /** A terminal's progress line (undefined: clear it); absent when stderr is not a terminal. */
  progress?: (line: string | undefined) => void;
}

type Env = Readonly<Record<string, string | undefined>>;

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function describeStore(settings: EventStoreSettings): string {
  switch (settings.kind) {
    case 'jetstream': {
      const servers =
        typeof settings.jetstream.servers === 'string'
          ? [settings.jetstream.servers]
          : settings.jetstream.servers;
      return `jetstream ${settings.jetstream.streamName ?? 'NETPAY_EVENTS'} at ${servers.join(',')}`;
    }
    case 'eventstoredb':
      // Never echo credentials embedded in the connection string.
      return `eventstoredb at ${settings.eventstoredb.connectionString.replace(/\/\/[^@/]*@/, '//***@')}`;
    case 'memory':
      return 'memory';
  }
}

/** Everything before the replay that can fail on the operator's input (exit 2). */
async function prepare(argv: readonly string[], given: Env, io: CliIo) {
  const options: CliOptions = parseCliArgs(argv);
  const env = options.envFile === undefined ? given : { ...given, ...(await readEnvFile(options.envFile)) };
  if (options.help)
    return {
      options,
      settings: undefined,
      brokerKeys: [],
      brokerRootKeys: [],
      worker: { redemptionKeys: [] },
      timeZone: undefined,
      cisKeys: undefined,
      cisPolicy: {},
    };
  let config: AuditorConfig;
  try {
    config = loadConfig(AuditorConfig, env);
  } catch (error) {
    throw new UsageError(message(error));
  }
  // Business days of the liveness rule (R3.SPENT_NOT_SEALED) in the redemption worker's zone.
  const timeZone = config.timeZone;
  let settings: EventStoreSettings;
  try {
    settings = eventStoreSettings(config);
  } catch (error) {
    throw new UsageError(message(error));
  }
  if (settings.kind === 'memory') {
    throw new UsageError('EVENT_STORE=memory holds nothing to audit: use jetstream or eventstoredb');
  }
  const brokerKeys = await loadBrokerKeys(options.brokerKeyFiles, config.brokerPublicKeys);
  const brokerRootKeys = await loadBrokerKeys(options.brokerRootKeyFiles, config.brokerRootPublicKeys);
  if (brokerKeys.length === 0 && brokerRootKeys.length === 0) {
    io.err(
      'warning: no broker public keys (--broker-keys, BROKER_PUBLIC_KEYS, --broker-root-keys, BROKER_ROOT_PUBLIC_KEYS): ' +
        'every touchstone will be reported as R1.UNKNOWN_BROKER_KEY',
    );
  }
  return {
    options,
    settings,
    brokerKeys,
    brokerRootKeys,
    worker: redemptionKeys(config),
    timeZone,
    cisKeys: config.cisPublicKeys,
    cisPolicy: {
      ...(config.cisPolicyBase === undefined ? {} : { base: config.cisPolicyBase }),
      ...(config.cisPolicyMultiple === undefined ? {} : { multiple: config.cisPolicyMultiple }),
      ...(config.cisNominalGrant === undefined ? {} : { nominalGrant: config.cisNominalGrant }),
    },
  };
}

/** KEY=VALUE lines (dotenv syntax, Node's own parser): what \`npm run demo -- --keep\` leaves. */
async function readEnvFile(file: string): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --env ${file} (${message(error)})`);
  }
  const parsed = parseEnv(text);
  return Object.fromEntries(
    Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

/**
 * The redemption worker's public keys (REDEMPTION_PUBLIC_KEYS or _FILE, same forms as the broker's)
 * and the position before which its records may be unsigned (REDEMPTION_LEGACY_UNSIGNED_UNTIL).
 */
function redemptionKeys(config: AuditorConfig): {
  redemptionKeys: PublicKeyRecord[];
  redemptionLegacyUntil?: bigint;
} {
  const redemptionKeys = parseBrokerKeys(config.redemptionPublicKeys ?? '', 'REDEMPTION_PUBLIC_KEYS');
  const legacy = config.redemptionLegacyUnsignedUntil;
  return legacy === undefined
    ? { redemptionKeys }
    : { redemptionKeys, redemptionLegacyUntil: BigInt(legacy) };
}

/**
 * The CLI without the process: parse, open the store the services use,
 * replay, print, and answer the exit status.
 */
export async function runCli(
  argv: readonly string[],
  env: Env,
  io: CliIo,
  openStore: (settings: EventStoreSettings) => Promise<EventStore> = createEventStore,
): Promise<number> {
  let prepared;
  try {
    prepared = await prepare(argv, env, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`netpay-audit: ${error.message}\n(netpay-audit --help for usage)`);
    return EXIT.USAGE;
  }
  const { options, settings, brokerKeys, brokerRootKeys, worker, timeZone } = prepared;
  if (options.help || settings === undefined) {
    io.out(USAGE);
    return EXIT.OK;
  }
  const storeName = describeStore(settings);
  let store: EventStore;
  try {
    store = await openStore(settings);
  } catch (error) {
    io.err(
      `netpay-audit: cannot open the event store (${storeName}): ${message(error)}${localStackHint(options.envFile, env)}`,
    );
    return EXIT.STORE;
  }
  try {
    const audit = new Audit({
      brokerKeys,
      brokerRootKeys,
      ...worker,
      // P2P-NetPay (R6): the CIS keys, when given, make its signatures checked too.
      ...(prepared.cisKeys ? { cisKeys: parseBrokerKeys(prepared.cisKeys, 'CIS_PUBLIC_KEYS') } : {}),
      cisPolicy: prepared.cisPolicy,
      crossCheck: options.crossCheck,
      maxFindings: options.maxFindings,
      ...(timeZone === undefined ? {} : { timeZone }),
      ...(options.chainId === undefined ? {} : { chainId: options.chainId }),
      ...(options.from === undefined ? {} : { from: options.from }),
    });
    const started = io.now();
    const progress = io.progress;
    const result = await replayStore(store, audit, {
      pageSize: options.pageSize,
      ...(options.from === undefined ? {} : { from: options.from }),
      // A busy store: the page is read again (smaller) from where it failed; say so, on stderr.
      onRetry: (error, attempt, after) =>
        io.err(`note: reading after position ${after ?? 0n} again (attempt ${attempt}): ${error.message}`),
      ...(progress ? { onPage: replayProgress(progress, () => io.now()) } : {}),
    });
    progress?.(undefined);
    const report = audit.finish();
    const durationMs = Math.max(io.now() - started, 0.001);
    const run: RunInfo = {
      store: storeName,
      durationMs,
      eventsPerSecond: (result.events / durationMs) * 1000,
      pages: result.pages,
      primedStreams: result.primedStreams,
      brokerKeyIds: brokerKeys.map((k) => k.keyId),
    };
    io.out(options.json ? renderJson(report, run) : renderText(report, run, options.show));
    if (result.events === 0) io.err(`note: no events read from ${storeName}: is EVENT_STORE_STREAM right?`);
    return report.ok ? EXIT.OK : EXIT.VIOLATIONS;
  } catch (error) {
    io.err(`netpay-audit: replay of ${storeName} failed: ${message(error)}`);
    return EXIT.STORE;
  } finally {
    await store.close().catch(() => undefined);
  }
}

/** Run without --env beside a local stack (`npm start` wrote its settings): say where they are. */
function localStackHint(envFile: string | undefined, env: Env): string {
  // Where `npm start` wrote them: NETPAY_STACK_DIR when the stack was moved there, else ./.stack.
  const written = join(env.NETPAY_STACK_DIR ?? join(process.cwd(), '.stack'), 'start.env');
  if (envFile !== undefined || !existsSync(written)) return '';
  const shown = relative(process.cwd(), written).startsWith('..')
    ? written
    : relative(process.cwd(), written);
  return `\n(the local stack's store, NATS identity and keys are in ${shown}: npm run audit -- --env ${shown})`;
}
