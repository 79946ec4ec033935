import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { CronJob } from 'cron';
import { InMemoryEventStore } from '#event-store';
import { createHttpApp, JsonLogger, loadConfig, ManualClock } from '#platform';
import { generateSigningKey } from '#protocol';
import { SimulatedBank } from '../../broker/src/bank/simulated-bank.js';
import { ChainWorld } from '../test/chain-world.js';
import { honestDay } from '../test/scenarios.js';
import { signVendorClaim } from './domain/vendor-claim.js';
import { CUT_OFF_JOB } from './night/redemption-scheduler.js';
import type { NightReport } from './night/redemption-night.js';
import { RedemptionConfig } from './redemption.config.js';
import { RedemptionModule } from './redemption.module.js';
import { REDEMPTION_STATUS_BY_CODE } from './tokens.js';

const ADMIN = 'operator-token-0123456789';

describe('the redemption worker over HTTP, with its cut-off schedule', () => {
  const store = new InMemoryEventStore();
  const clock = new ManualClock('2026-03-10T13:30:00.000Z');
  const world = new ChainWorld(store);
  const bank = new SimulatedBank(store, clock, 1_000_000);
  let app: NestFastifyApplication;
  let base: string;

  const call = async (method: string, path: string, body?: unknown, token?: string) => {
    const response = await fetch(base + path, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    const config = loadConfig(RedemptionConfig, {
      BROKER_PUBLIC_KEYS: world.brokerKeys.map((k) => `${k.keyId}:${k.publicKey}`).join(','),
      ADMIN_TOKEN: ADMIN,
      REDEMPTION_SIGNING_KEY: generateSigningKey('redemption-1').privateKey,
      REDEMPTION_VIEW_STORE: 'memory',
      REDEMPTION_CRON: '0 15 3 * * *',
      REDEMPTION_TIME_ZONE: 'Pacific/Auckland',
    });
    for (const v of ['va', 'vb', 'vc']) {
      await bank.openAccount({ accountId: `acct_${v}`, currency: 'NZD', balance: 0 });
      await world.registerVendor(v);
    }
    await honestDay(world);
    app = await createHttpApp(RedemptionModule.forRoot({ config, eventStore: store, clock }), {
      name: 'redemption',
      version: 'test',
      port: 0,
      host: '127.0.0.1',
      docsUi: false,
      logger: new JsonLogger({ service: 'redemption-test', level: 'error', write: () => undefined }),
      statusByCode: REDEMPTION_STATUS_BY_CODE,
    });
    base = await app.getUrl();
  });
  afterAll(() => app.close());

  it('schedules the cut-off with the configured expression and time zone', () => {
    const job: CronJob = app.get(SchedulerRegistry).getCronJob(CUT_OFF_JOB);
    expect(job.cronTime.source).toBe('0 15 3 * * *');
    expect(job.cronTime.timeZone).toBe('Pacific/Auckland');
    const next = (from: string): string | null =>
      job.cronTime.getNextDateFrom(new Date(from), 'Pacific/Auckland').toUTC().toISO();
    // 03:15 in Auckland: 14:15 UTC in summer (NZDT, +13), 15:15 UTC in winter (NZST, +12).
    expect(next('2026-03-10T00:00:00.000Z')).toBe('2026-03-10T14:15:00.000Z');
    expect(next('2026-07-01T00:00:00.000Z')).toBe('2026-07-01T15:15:00.000Z');
  });

  it('refuses operator calls without the admin token, and days that are not dates', async () => {
    expect((await call('POST', '/redemption/nights', {})).body).toMatchObject({
      status: 401,
      code: 'ADMIN.UNAUTHORISED',
    });
    expect((await call('POST', '/redemption/nights', { day: '2026-02-30' }, ADMIN)).body).toMatchObject({
      status: 400,
      code: 'REDEMPTION.INVALID_DAY',
    });
    expect((await call('GET', '/redemption/days/yesterday', undefined, ADMIN)).status).toBe(400);
  });

  it.each(['2026-02-30', '0000-00-00', '2026-13-01', '2025-02-29'])(
    'refuses %s alike on both routes (REDEMPTION.INVALID_DAY)',
    async (day) => {
      const seen = await call('GET', `/redemption/days/${day}`, undefined, ADMIN);
      const ran = await call('POST', '/redemption/nights', { day }, ADMIN);
      expect([seen.status, seen.body.code]).toEqual([400, 'REDEMPTION.INVALID_DAY']);
      expect([ran.status, ran.body.code]).toEqual([400, 'REDEMPTION.INVALID_DAY']);
    },
  );

  it.each([null, [], 'x', 7])('refuses a night whose body is %j, running nothing', async (body) => {
    const before = await store.readAll();
    const res = await call('POST', '/redemption/nights', body, ADMIN);
    expect([res.status, res.body.code]).toEqual([400, 'REQUEST.INVALID']);
    expect(await store.readAll()).toEqual(before);
  });

  /** vb's signed claim of its spend of c1 (positions 6..9) for `businessDay`. */
  const vbClaim = (businessDay: string, claimId: string) => {
    const signer = world.vendorSigner('vb');
    const items = [{ chainId: 'c1', fromIndex: 6, toIndex: 9, proofPayword: world.chain('c1').payword(9) }];
    return signVendorClaim(
      { vendorId: 'vb', businessDay, claimId, items, vendorKeyId: signer.keyId },
      signer,
    );
  };

  it('refuses a night, or a claim, for a day that has not begun in the cut-off zone, changing nothing', async () => {
    // 13:30 UTC on 2026-03-10 is 02:30 on 2026-03-11 in Auckland: the 12th has not begun.
    const before = await store.readAll();
    const night = await call('POST', '/redemption/nights', { day: '2026-03-12' }, ADMIN);
    expect([night.status, night.body.code]).toEqual([422, 'REDEMPTION.DAY_IN_FUTURE']);
    const far = await call('POST', '/redemption/nights', { day: '9999-12-31' }, ADMIN);
    expect([far.status, far.body.code]).toEqual([422, 'REDEMPTION.DAY_IN_FUTURE']);
    const claimed = await call('POST', '/redemption/claims', vbClaim('2026-03-12', 'vb_claim_future'));
    expect([claimed.status, claimed.body.code]).toEqual([400, 'REDEMPTION.CLAIM_INVALID']);
    expect(await store.readAll()).toEqual(before);
  });

  it('takes a vendor’s signed claim, previews the day, and runs the night on the cut-off tick', async () => {
    const claim = vbClaim('2026-03-10', 'vb_claim_1');
    const submitted = await call('POST', '/redemption/claims', claim);
    expect(submitted).toMatchObject({ status: 202, body: { created: true } });
    expect((await call('POST', '/redemption/claims', claim)).body).toMatchObject({ created: false });
    expect((await call('POST', '/redemption/claims', { ...claim, items: [] })).body).toMatchObject({
      code: 'REQUEST.INVALID',
    });

    const day = await call('GET', '/redemption/days/2026-03-10', undefined, ADMIN);
    expect(
      (day.body.planned as { vendorId: string; amount: number }[]).map((b) => [b.vendorId, b.amount]),
    ).toEqual([
      ['va', 30],
      ['vb', 30],
      ['vc', 15],
    ]);

    void app.get(SchedulerRegistry).getCronJob(CUT_OFF_JOB).fireOnTick();
    // Nights in one process run one after the other: this one ends after the tick's.
    const after = (await call('POST', '/redemption/nights', { day: '2026-03-10' }, ADMIN))
      .body as unknown as NightReport;
    expect(after.sealed).toEqual([]);
    expect([
      (await bank.account('acct_va'))?.balance,
      (await bank.account('acct_vb'))?.balance,
      (await bank.account('acct_vc'))?.balance,
    ]).toEqual([30, 30, 15]);
  });
});
