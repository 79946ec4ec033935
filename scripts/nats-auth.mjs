// NATS identities and rights of every NetPay role, as an nats-server (2.9+) `authorization`
// block. One place decides who may publish and subscribe what; deploy/nats/README.md explains
// the table, scripts/stack.mjs writes it for the local stack, and the permissions integration
// test proves the server refuses what it does not grant.
//
//   node scripts/nats-auth.mjs --out <dir> [--vendors a,b] [--nats-prefix netpay]
//        [--event-prefix netpay.events] [--stream NETPAY_EVENTS] [--peers p1,p2] [--dev]
//
// writes <dir>/auth.conf (include it from the server configuration) and <dir>/credentials.json
// (role → user, password, inbox prefix). Passwords already in credentials.json are kept.
// --dev (the local stack and the tests): subject prefixes and stream names are wildcards (any
// prefix of 1-4 tokens, any stream), the test pool of vendor ids gets identities, and a `test`
// identity with every right seeds fixtures.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Vendor ids the tests and the demo run (each needs an identity of its own in the dev config). */
export const DEV_VENDORS = [
  ...['newspaper', 'greetings', 'music'], // the demo and npm start
  ...['va', 'vb', 'vc', 'vd', 'vx', 'ka', 'kb', 'shop', 'news', 'news_a', 'music_b', 'late_c'], // tests
  ...['v1', 'v2', 'v3', 'h_v1', 'h_v2', 'co_egreeting', 'egreeting', 'co_emusic'],
  ...['fa', 'fb', 'kf', 'vy', 'out_a', 'out_b', 'redis_out'], // forgery, replica and outage tests
];

/** P2P-NetPay peer ids the tests and `npm run demo -- --network p2p` run (role `peer-<id>`). */
export const DEV_PEERS = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'pa', 'pb', 'pc', 'pd', 'pe'];

/**
 * Event categories by writer (libs/events/src/streams.ts, walletseed, bankaccount, redeemed, brokerkeys).
 * `bankaccount`: the simulated bank, an external system that both the broker (charges) and the
 * redemption worker (payouts) drive in-process; a real bank is behind its own API.
 */
export const WRITERS = {
  // `opaccount`: the operator's billing ledger when the broker is a Mobile-NetPay SP.
  broker: [
    'chain',
    'customer',
    'purchase',
    'vendor',
    'walletseed',
    'revocation',
    'bankaccount',
    'brokerkeys',
    'opaccount',
  ],
  vendor: ['chain'],
  redemption: ['redemption', 'redeemed', 'payout', 'bankaccount'],
  // P2P-NetPay: the CIS writes peers, the content index and proofs; an S-peer only the spends it accepted.
  cis: ['peer', 'p2pcontent', 'p2pchain'],
  peer: ['p2pchain'],
};

/** Prefixes of 1-4 tokens (NATS_SUBJECT_PREFIX and event-store prefixes allow up to 4). */
const ANY_PREFIX = ['*', '*.*', '*.*.*', '*.*.*.*'];

export function inboxPrefix(user) {
  return `_INBOX_${user}`;
}

/** JetStream API calls a reader makes: stream info, direct get, ephemeral consumers and their pulls. */
function jetStreamRead(streams) {
  return streams.flatMap((s) => [
    `$JS.API.STREAM.INFO.${s}`,
    `$JS.API.STREAM.MSG.GET.${s}`,
    `$JS.API.DIRECT.GET.${s}`,
    `$JS.API.DIRECT.GET.${s}.>`,
    `$JS.API.CONSUMER.CREATE.${s}`,
    `$JS.API.CONSUMER.CREATE.${s}.>`,
    `$JS.API.CONSUMER.MSG.NEXT.${s}.*`,
    `$JS.API.CONSUMER.INFO.${s}.*`,
    `$JS.API.CONSUMER.DELETE.${s}.*`,
  ]);
}

/**
 * The permission table. `o.natsPrefixes` / `o.eventPrefixes`: subject prefixes (or wildcard
 * patterns of them); `o.streams`: event stream names (checkpoint streams are `<name>_CHECKPOINTS`).
 */
export function roleTable(o) {
  const p = (suffix) => o.natsPrefixes.map((x) => `${x}.${suffix}`);
  const events = (categories) => o.eventPrefixes.flatMap((x) => categories.map((c) => `${x}.${c}.*`));
  const checkpoints = o.eventPrefixes.map((x) => `checkpoints.${x}.>`);
  const streams = o.streams.flatMap((s) => (s === '*' ? ['*'] : [s, `${s}_CHECKPOINTS`]));
  const read = ['$JS.API.INFO', ...jetStreamRead(streams)];
  const roles = {
    setup: { publish: ['$JS.API.>'], subscribe: [] },
    broker: {
      publish: [...read, ...p('broker.revocation'), ...events(WRITERS.broker), ...checkpoints],
      subscribe: p('broker.>'),
      responses: true,
    },
    redemption: {
      publish: [...read, ...events(WRITERS.redemption), ...checkpoints],
      subscribe: [],
    },
    auditor: { publish: read, subscribe: [] },
  };
  for (const id of o.vendors) {
    roles[`vendor-${id}`] = {
      publish: [...read, ...p('broker.>'), ...p('vendor.*.handoff'), ...events(WRITERS.vendor)],
      deny: p('broker.revocation'),
      subscribe: [...p(`vendor.${id}.handoff`), ...p('broker.revocation')],
      responses: true,
    };
  }
  // P2P-NetPay: the CIS talks HTTP to peers; on NATS it only writes and reads events.
  roles.cis = { publish: [...read, ...events(WRITERS.cis), ...checkpoints], subscribe: [] };
  for (const id of o.peers ?? [])
    roles[`peer-${id}`] = { publish: [...read, ...events(WRITERS.peer)], subscribe: [] };
  // A role that answers requests (allow_responses) reads and writes the event store as a second
  // user, `<role>-store`, without that right: nats-server records the reply subject of every
  // message delivered to an allow_responses user — JetStream deliveries included — and scans them
  // all on each delivery past 4,096 (docs/performance.md, session 7). Its event rights only.
  roles['broker-store'] = { publish: [...read, ...events(WRITERS.broker), ...checkpoints], subscribe: [] };
  for (const id of o.vendors)
    roles[`vendor-${id}-store`] = { publish: [...read, ...events(WRITERS.vendor)], subscribe: [] };
  // Tests and benchmarks (dev only) may publish anywhere, answers included, so the identity needs no
  // allow_responses, and must not have it: their event stores connect as `test` too, and would pay
  // the scan above on every delivery (the purchase benchmark's nats-server CPU, session 9).
  if (o.dev) roles.test = { publish: ['>'], subscribe: ['>'] };
  for (const [user, role] of Object.entries(roles)) role.subscribe.push(`${inboxPrefix(user)}.>`);
  return roles;
}

const list = (items) => `[${items.map((s) => JSON.stringify(s)).join(', ')}]`;

export function authConf(roles, credentials) {
  const users = Object.entries(roles).map(([user, r]) => {
    const publish = r.deny
      ? `{ allow: ${list(r.publish)}, deny: ${list(r.deny)} }`
      : `{ allow: ${list(r.publish)} }`;
    return [
      `    {`,
      `      user: ${JSON.stringify(user)}, password: ${JSON.stringify(credentials[user].password)}`,
      `      permissions: {`,
      `        publish: ${publish}`,
      `        subscribe: { allow: ${list(r.subscribe)} }`,
      ...(r.responses ? ['        allow_responses: true'] : []),
      `      }`,
      `    }`,
    ].join('\n');
  });
  return (
    '# Generated by scripts/nats-auth.mjs: every NetPay role and its rights (deploy/nats/README.md).\n' +
    `authorization {\n  users: [\n${users.join('\n')}\n  ]\n}\n`
  );
}

export function generate(o) {
  mkdirSync(o.out, { recursive: true, mode: 0o700 });
  const credentialsFile = join(o.out, 'credentials.json');
  const previous = existsSync(credentialsFile) ? JSON.parse(readFileSync(credentialsFile, 'utf8')) : {};
  const roles = roleTable(o);
  const credentials = {};
  for (const user of Object.keys(roles)) {
    credentials[user] = {
      user,
      password: previous[user]?.password ?? randomBytes(24).toString('base64url'),
      inboxPrefix: inboxPrefix(user),
    };
  }
  writeFileSync(join(o.out, 'auth.conf'), authConf(roles, credentials), { mode: 0o600 });
  writeFileSync(credentialsFile, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  return { roles, credentials };
}

function parseArgs(argv) {
  const o = { dev: false, vendors: [], peers: [], natsPrefixes: [], eventPrefixes: [], streams: [] };
  for (let i = 0; i < argv.length; i++) {
    const value = () => argv[++i] ?? '';
    switch (argv[i]) {
      case '--out':
        o.out = resolve(value());
        break;
      case '--dev':
        o.dev = true;
        break;
      case '--vendors':
        o.vendors.push(...value().split(',').filter(Boolean));
        break;
      case '--peers':
        o.peers.push(...value().split(',').filter(Boolean));
        break;
      case '--nats-prefix':
        o.natsPrefixes.push(value());
        break;
      case '--event-prefix':
        o.eventPrefixes.push(value());
        break;
      case '--stream':
        o.streams.push(value());
        break;
      default:
        throw new Error(`unknown argument ${argv[i]}`);
    }
  }
  if (!o.out) throw new Error('--out <dir> is required');
  if (o.dev) {
    o.vendors.push(...DEV_VENDORS);
    o.peers.push(...DEV_PEERS);
    o.natsPrefixes.push(...ANY_PREFIX);
    o.eventPrefixes.push(...ANY_PREFIX);
    o.streams.push('*');
  }
  if (o.natsPrefixes.length === 0) o.natsPrefixes.push('netpay');
  if (o.eventPrefixes.length === 0) o.eventPrefixes.push('netpay.events');
  if (o.streams.length === 0) o.streams.push('NETPAY_EVENTS');
  o.vendors = [...new Set(o.vendors)];
  o.peers = [...new Set(o.peers)];
  return o;
}

export function devOptions(out, vendors = []) {
  return parseArgs(['--out', out, '--dev', ...(vendors.length ? ['--vendors', vendors.join(',')] : [])]);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const o = parseArgs(process.argv.slice(2));
  const { roles } = generate(o);
  console.log(
    `nats-auth: ${Object.keys(roles).length} identities written to ${o.out}/auth.conf and credentials.json`,
  );
}
