import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { subjects } from '#contracts';
import { pathToFileURL } from 'node:url';

interface Role {
  publish: string[];
  deny?: string[];
  subscribe: string[];
  responses?: boolean;
}

interface NatsAuth {
  roleTable: (o: object) => Record<string, Role>;
  generate: (o: object) => { credentials: Record<string, { password: string }> };
}
// A plain script (it runs before the build): typed by what this test uses.
const { generate, roleTable } = (await import(
  pathToFileURL(join(process.cwd(), 'scripts/nats-auth.mjs')).href
)) as NatsAuth;

/** NATS subject matching: `*` one token, `>` the rest. */
function matches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length || (p[i] !== '*' && p[i] !== s[i])) return false;
  }
  return p.length === s.length;
}
const may =
  (allow: string[], deny: string[] = []) =>
  (subject: string) =>
    allow.some((a) => matches(a, subject)) && !deny.some((d) => matches(d, subject));

const production = roleTable({
  natsPrefixes: ['netpay'],
  eventPrefixes: ['netpay.events'],
  streams: ['NETPAY_EVENTS'],
  vendors: ['va', 'vb'],
  dev: false,
});
const requests = [subjects.touchstone, subjects.brokerKeys, subjects.vendorKeys, subjects.walletCheckout];

describe('NATS roles (scripts/nats-auth.mjs), from the contracts’ subjects', () => {
  it('only the broker serves the broker’s request subjects and publishes revocations', () => {
    for (const [user, role] of Object.entries(production)) {
      const serves = requests.filter(may(role.subscribe));
      expect([user, serves]).toEqual([user, user === 'broker' ? requests : []]);
      expect([user, may(role.publish, role.deny)(subjects.revocation)]).toEqual([user, user === 'broker']);
    }
  });

  it('a vendor serves its own hand-off subject only, and may ask the broker and other vendors', () => {
    const va = production['vendor-va']!;
    expect(may(va.subscribe)(subjects.handOff('va'))).toBe(true);
    expect(may(va.subscribe)(subjects.handOff('vb'))).toBe(false);
    expect(may(va.subscribe)(subjects.revocation)).toBe(true);
    for (const subject of [...requests, subjects.handOff('vb')]) {
      expect([subject, may(va.publish, va.deny)(subject)]).toEqual([subject, true]);
    }
  });

  it('event writes by owner; no application role administers streams; inboxes are private', () => {
    const writes = (user: string, category: string): boolean =>
      may(production[user]!.publish)(`netpay.events.${category}.${category}-x`);
    expect(writes('vendor-va', 'chain')).toBe(true);
    for (const c of [
      'customer',
      'purchase',
      'vendor',
      'walletseed',
      'revocation',
      'brokerkeys',
      'redemption',
      'redeemed',
      'payout',
    ]) {
      expect([c, writes('vendor-va', c)]).toEqual([c, false]);
      expect([c, writes('auditor', c)]).toEqual([c, false]);
    }
    for (const c of ['redemption', 'redeemed', 'payout'])
      expect([c, writes('broker', c)]).toEqual([c, false]);
    // Only the broker publishes its key lists (root-signed besides: readers verify them).
    expect(writes('broker', 'brokerkeys')).toBe(true);
    expect(writes('redemption', 'brokerkeys')).toBe(false);
    for (const c of ['chain', 'customer', 'walletseed'])
      expect([c, writes('redemption', c)]).toEqual([c, false]);
    for (const [user, role] of Object.entries(production)) {
      for (const api of ['CREATE', 'UPDATE', 'DELETE', 'PURGE']) {
        expect([user, api, may(role.publish)(`$JS.API.STREAM.${api}.NETPAY_EVENTS`)]).toEqual([
          user,
          api,
          user === 'setup',
        ]);
      }
      const inboxes = role.subscribe.filter((s) => s.startsWith('_INBOX'));
      expect([user, inboxes]).toEqual([user, [`_INBOX_${user}.>`]]);
    }
  });

  it('a role that answers requests has a store identity with its event rights and no replies', () => {
    // JetStream deliveries to an allow_responses user cost nats-server a scan of every reply
    // subject it keeps for that user (docs/performance.md, session 7): the event store connects
    // as `<role>-store`, which may not answer anything.
    const answering = Object.keys(production).filter((u) => production[u]!.responses);
    expect(answering.sort()).toEqual(['broker', 'vendor-va', 'vendor-vb']);
    for (const user of answering) {
      const role = production[user]!;
      const store = production[`${user}-store`];
      expect([user, store?.responses ?? false]).toEqual([user, false]);
      expect([user, store?.subscribe]).toEqual([user, [`_INBOX_${user}-store.>`]]);
      // Exactly the role's event-store rights: events, checkpoints and the JetStream read API …
      const storeRights = role.publish.filter(
        (s) => s.startsWith('$JS.API.') || s.startsWith('checkpoints.') || s.startsWith('netpay.events.'),
      );
      expect([user, [...(store?.publish ?? [])].sort()]).toEqual([user, [...storeRights].sort()]);
      // … and none of its requests, answers or notices.
      for (const subject of [...requests, subjects.revocation, subjects.handOff('va')])
        expect([user, subject, may(store?.publish ?? [])(subject)]).toEqual([user, subject, false]);
    }
  });

  it('the dev `test` identity may publish anywhere and keeps no reply subjects', () => {
    const dev = roleTable({
      natsPrefixes: ['netpay'],
      eventPrefixes: ['netpay.events'],
      streams: ['NETPAY_EVENTS'],
      vendors: ['va'],
      dev: true,
    });
    expect(may(dev.test!.publish)('_INBOX_broker.any.reply')).toBe(true);
    // Its event stores (tests, benchmarks) would pay nats-server's reply scan on every delivery.
    expect(dev.test!.responses ?? false).toBe(false);
  });

  it('writes a config nats-server accepts, and keeps passwords across runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netpay-nats-auth-'));
    try {
      const options = { out: dir, natsPrefixes: ['netpay'], eventPrefixes: ['netpay.events'] };
      const first = generate({ ...options, streams: ['NETPAY_EVENTS'], vendors: ['va'], dev: false });
      const again = generate({ ...options, streams: ['NETPAY_EVENTS'], vendors: ['va'], dev: false });
      expect(again.credentials).toEqual(first.credentials);
      expect(readFileSync(join(dir, 'auth.conf'), 'utf8')).toContain(first.credentials.broker!.password);
      writeFileSync(join(dir, 'server.conf'), 'include ./auth.conf\n');
      const check = spawnSync(
        process.env.NATS_SERVER_BIN ?? 'nats-server',
        ['-t', '-c', join(dir, 'server.conf')],
        {
          encoding: 'utf8',
        },
      );
      if (check.error) return; // no nats-server here: the integration tier runs it anyway
      expect(check.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
