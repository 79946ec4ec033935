import { describe, expect, it } from '@jest/globals';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OpenAPIObject } from '@nestjs/swagger';
import { generateSigningKey } from '#protocol';
import { loadConfig } from '#platform';
import { apiDocumentOf } from '../libs/platform/src/http/testing/api-document.js';
import { testBrokerConfig } from '../apps/broker/src/test/broker-harness.js';
import { BROKER_VERSION, BrokerModule } from '../apps/broker/src/broker.module.js';
import { RedemptionConfig } from '../apps/redemption/src/redemption.config.js';
import { REDEMPTION_VERSION, RedemptionModule } from '../apps/redemption/src/redemption.module.js';
import { VendorConfig } from '../apps/vendor/src/vendor.config.js';
import { VENDOR_VERSION, VendorModule } from '../apps/vendor/src/vendor.module.js';
import { CisConfig } from '../apps/cis/src/cis.config.js';
import { CIS_VERSION, CisModule } from '../apps/cis/src/cis.module.js';
import { PeerConfig } from '../apps/peer/src/peer.config.js';
import { PEER_VERSION, PeerModule } from '../apps/peer/src/peer.module.js';

const ROOT = new URL('..', import.meta.url).pathname;
const SNAPSHOTS = join(ROOT, 'docs/openapi');
const UPDATE = process.env.NETPAY_UPDATE_OPENAPI === '1';

const HEX = 'ab'.repeat(32);
const brokerKey = generateSigningKey('broker-1');

function vendorConfig(env: Record<string, string> = {}): VendorConfig {
  return loadConfig(VendorConfig, {
    VENDOR_ID: 'newspaper',
    VENDOR_KEY: HEX,
    BROKER_PUBLIC_KEYS: `broker-1:${brokerKey.publicKey}`,
    VENDOR_CATALOG: 'newspaper,cards,music',
    ...env,
  });
}

async function documents(): Promise<Record<string, OpenAPIObject>> {
  const redemption = loadConfig(RedemptionConfig, {
    ADMIN_TOKEN: 'a'.repeat(16),
    REDEMPTION_SIGNING_KEY: HEX,
    BROKER_PUBLIC_KEYS: `broker-1:${brokerKey.publicKey}`,
    REDEMPTION_VIEW_STORE: 'memory',
  });
  return {
    broker: await apiDocumentOf(
      BrokerModule.forRoot({
        config: testBrokerConfig(),
        eventStore: { kind: 'memory' },
        nats: false,
        idempotencyStore: 'memory',
      }),
      { name: 'broker', version: BROKER_VERSION },
    ),
    // The document a broker serves with BROKER_NETWORKS=mobile: the same, with the Mobile-NetPay
    // SP's operator and subscriber routes (mounted only then, like the vendor's NOOP_ROUTE).
    'broker-mobile': await apiDocumentOf(
      BrokerModule.forRoot({
        config: testBrokerConfig({
          BROKER_NETWORKS: 'web,mobile',
          OPERATOR_GATEWAY_TOKEN: 'gateway-token-for-docs-0001',
        }),
        eventStore: { kind: 'memory' },
        nats: false,
        idempotencyStore: 'memory',
      }),
      { name: 'broker', version: BROKER_VERSION },
    ),
    vendor: await apiDocumentOf(VendorModule.forRoot(vendorConfig()), {
      name: 'vendor',
      version: VENDOR_VERSION,
    }),
    redemption: await apiDocumentOf(
      RedemptionModule.forRoot({ config: redemption, eventStore: { kind: 'memory' }, schedule: false }),
      { name: 'redemption', version: REDEMPTION_VERSION },
    ),
    cis: await apiDocumentOf(
      CisModule.forRoot({
        config: loadConfig(CisConfig, {
          CIS_SIGNING_KEY: HEX,
          CIS_KEY_ID: 'cis-1',
          CIS_SECRET: 'cd'.repeat(32),
        }),
        eventStore: { kind: 'memory' },
        redis: false,
      }),
      { name: 'cis', version: CIS_VERSION },
    ),
    peer: await apiDocumentOf(
      PeerModule.forRoot({
        config: loadConfig(PeerConfig, {
          PEER_IDENTITY: 'alice@example.test',
          PEER_KEY: HEX,
          PEER_KEY_ID: 'key-alice',
          CIS_URL: 'http://127.0.0.1:1',
          CIS_PUBLIC_KEYS: `cis-1:${brokerKey.publicKey}`,
          PEER_CONTROL_TOKEN: 'peer-control-token-0123',
          PEER_EVENT_STORE: 'none',
        }),
      }),
      { name: 'peer', version: PEER_VERSION },
    ),
  };
}

type Op = {
  parameters?: { name: string; in: string; schema?: { pattern?: string; enum?: unknown[] } }[];
  requestBody?: unknown;
  responses: Record<string, { content?: Record<string, unknown> }>;
  security?: unknown[];
};
const operations = (doc: OpenAPIObject): [string, Op][] =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item as Record<string, Op>)
      .filter(([m]) => ['get', 'post', 'put', 'delete', 'patch'].includes(m))
      .map(([m, op]) => [`${m.toUpperCase()} ${path}`, op] as [string, Op]),
  );

const docs = await documents();

describe('OpenAPI documents', () => {
  it.each(Object.keys(docs))('%s is a valid OpenAPI document', async (name) => {
    const { Validator } = (await import('@seriousme/openapi-schema-validator')) as {
      Validator: new () => { validate(doc: unknown): Promise<{ valid: boolean; errors?: unknown }> };
    };
    const result = await new Validator().validate(structuredClone(docs[name]));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it.each(Object.keys(docs))(
    '%s: every operation answers problem+json for its errors, with codes',
    (name) => {
      for (const [route, op] of operations(docs[name]!)) {
        const errors = Object.entries(op.responses).filter(([s]) => Number(s) >= 400);
        expect({ route, errors: errors.length > 0 }).toEqual({ route, errors: true });
        // Readiness answers its own report with 503 (beside the problem a failing request gets).
        const own = (status: string) =>
          route === 'GET /health/ready' && status === '503' ? ['application/json'] : [];
        for (const [status, response] of errors)
          expect({ route, status, types: Object.keys(response.content ?? {}) }).toEqual({
            route,
            status,
            types: [...own(status), 'application/problem+json'],
          });
      }
      expect(docs[name]!.components?.schemas?.ProblemDetails).toBeDefined();
    },
  );

  it.each(Object.keys(docs))('%s: every operation names what the HTTP layer answers by itself', (name) => {
    const named = (op: Op, status: string) =>
      [...JSON.stringify(op.responses[status] ?? {}).matchAll(/"([A-Z][A-Z0-9_]*\.[A-Z0-9_.]+)"/g)].map(
        (m) => m[1],
      );
    for (const [route, op] of operations(docs[name]!)) {
      const body = /^(POST|PUT|PATCH|DELETE) /.test(route);
      const path = (op.parameters ?? []).some((p) => p.in === 'path');
      const expected: Record<string, string[]> = {
        '400': ['REQUEST.INVALID', ...(body ? ['REQUEST.TOO_DEEP'] : [])],
        '408': ['REQUEST.TIMEOUT'],
        '431': ['REQUEST.HEADERS_TOO_LARGE'],
        ...(body ? { '413': ['REQUEST.TOO_LARGE'], '415': ['REQUEST.UNSUPPORTED_MEDIA_TYPE'] } : {}),
        ...(path ? { '414': ['REQUEST.URI_TOO_LONG'] } : {}),
      };
      for (const [status, codes] of Object.entries(expected))
        expect({ route, status, codes: named(op, status) }).toEqual({
          route,
          status,
          codes: expect.arrayContaining(codes),
        });
    }
  });

  it.each(Object.keys(docs))('%s: one Idempotency-Key with its pattern, no duplicated parameter', (name) => {
    for (const [route, op] of operations(docs[name]!)) {
      const keys = (op.parameters ?? []).map((p) => `${p.in}:${p.name.toLowerCase()}`);
      expect({ route, keys }).toEqual({ route, keys: [...new Set(keys)] });
      const idem = (op.parameters ?? []).filter((p) => p.name.toLowerCase() === 'idempotency-key');
      for (const p of idem)
        expect(p).toMatchObject({ name: 'Idempotency-Key', schema: { pattern: expect.any(String) } });
    }
  });

  it('calls bearer tokens opaque, not JWT', () => {
    for (const doc of Object.values(docs)) {
      const scheme = (
        doc.components?.securitySchemes as Record<string, { bearerFormat?: string }> | undefined
      )?.bearer;
      expect(scheme).toBeDefined();
      expect(scheme?.bearerFormat).toBeUndefined();
      expect(JSON.stringify(doc)).not.toContain('JWT');
    }
    // Guards state their refusals once; every route they guard documents them.
    for (const doc of [docs.broker!, docs['broker-mobile']!])
      for (const [route, op] of operations(doc).filter(([, op]) => op.security?.length)) {
        const codes = JSON.stringify(op.responses['401'] ?? {});
        expect({
          route,
          named: /(ADMIN|CUSTOMER|OPERATOR\.GATEWAY|VENDOR\.REGISTRATION)[._]UNAUTHORISED/.test(codes),
        }).toEqual({
          route,
          named: true,
        });
      }
  });

  it('emits the validators’ integer types and patterns in request schemas', () => {
    const schemas = docs.broker!.components!.schemas as Record<
      string,
      { properties: Record<string, { type?: string; pattern?: string }> }
    >;
    expect(schemas.BuyCoinsRequest!.properties.coins!.type).toBe('integer');
    expect(schemas.BuyCoinsRequest!.properties.currency!.pattern).toBe('^[A-Z]{3}$');
  });

  it('lists the payment headers, the receipt headers and the 402 of the paid routes', () => {
    const paid = operations(docs.vendor!).filter(([, op]) =>
      JSON.stringify(op.responses['402'] ?? {}).includes('PAYMENT.REQUIRED'),
    );
    expect(paid.map(([route]) => route).sort()).toEqual([
      'GET /articles/{id}',
      'GET /cards/{id}',
      'GET /clips/{id}',
    ]);
    for (const [route, op] of paid) {
      expect({ route, headers: (op.parameters ?? []).map((p) => p.name.toLowerCase()) }).toEqual({
        route,
        headers: expect.arrayContaining([
          'x-netpay-payment',
          'x-netpay-checkout',
          'x-netpay-touchstone',
          'idempotency-key',
        ]),
      });
      const ok = op.responses['200'] as { headers?: Record<string, unknown> } | undefined;
      expect(Object.keys(ok?.headers ?? {})).toEqual(['X-NetPay-Receipt', 'X-NetPay-Receipt-Id']);
    }
  });

  it.each(Object.keys(docs))('%s: every operation documents the schema of its success answer', (name) => {
    for (const [route, op] of operations(docs[name]!)) {
      const success = Object.entries(op.responses).filter(([s]) => Number(s) < 400);
      expect({ route, documented: success.length > 0 }).toEqual({ route, documented: true });
      for (const [status, response] of success) {
        const schemas = Object.values(response.content ?? {}) as { schema?: unknown }[];
        expect({ route, status, schema: schemas.length > 0 && schemas.every((c) => c.schema) }).toEqual({
          route,
          status,
          schema: true,
        });
      }
    }
  });

  it.each(Object.keys(docs))('%s: every path parameter has a pattern or a list of values', (name) => {
    for (const [route, op] of operations(docs[name]!))
      for (const p of (op.parameters ?? []).filter((p) => p.in === 'path'))
        expect({ route, name: p.name, constrained: Boolean(p.schema?.pattern ?? p.schema?.enum) }).toEqual({
          route,
          name: p.name,
          constrained: true,
        });
  });

  it('names the route-specific refusals of each family (SPEND, CHECKOUT, HANDOFF, CHAIN, BANK, …)', () => {
    const codes = (doc: OpenAPIObject, route: string) => {
      const op = operations(doc).find(([r]) => r === route)?.[1];
      return [...JSON.stringify(op?.responses ?? {}).matchAll(/"([A-Z][A-Z0-9_]*\.[A-Z0-9_.]+)"/g)].map(
        (m) => m[1],
      );
    };
    expect(codes(docs.vendor!, 'POST /spends')).toEqual(
      expect.arrayContaining([
        'SPEND.PAYWORD_FORGED',
        'SPEND.PAYWORD_SKIPPED',
        'CHAIN.REVOKED',
        'HANDOFF.CERTIFICATE_INVALID',
        'TOUCHSTONE.EXPIRED',
      ]),
    );
    expect(codes(docs.vendor!, 'POST /debits')).toEqual(
      expect.arrayContaining(['CHECKOUT.TOKEN_INVALID', 'CHAIN.SLICE_WITHDRAWN', 'WALLET.NO_PAYWORDS']),
    );
    // The vendor's debit checks its Idempotency-Key itself: no platform interceptor refusals there.
    expect(codes(docs.vendor!, 'POST /debits')).not.toContain('IDEMPOTENCY.IN_PROGRESS');
    expect(codes(docs.broker!, 'POST /bank/accounts')).toContain('BANK.ACCOUNT_EXISTS');
    expect(codes(docs.broker!, 'GET /bank/accounts/{accountId}')).toContain('BANK.ACCOUNT_NOT_FOUND');
    expect(codes(docs.redemption!, 'POST /redemption/claims')).toEqual(
      expect.arrayContaining([
        'REDEMPTION.CLAIM_INVALID',
        'REDEMPTION.CLAIM_SIGNATURE_INVALID',
        'REDEMPTION.CLAIM_ID_REUSED',
      ]),
    );
  });

  it('names the P2P refusals: signed calls, the contribution policy, payments between peers', () => {
    const codes = (doc: OpenAPIObject, route: string) =>
      JSON.stringify(operations(doc).find(([r]) => r === route)?.[1]);
    for (const route of operations(docs.cis!)
      .map(([r]) => r)
      .filter((r) => r.startsWith('POST /peers/{pseudonym}')))
      for (const code of [
        'P2P.CALL_UNSIGNED',
        'P2P.CALL_REPLAYED',
        'P2P.PSEUDONYM_REVOKED',
        'CIS.PEER_NOT_REGISTERED',
      ])
        expect({ route, code, named: codes(docs.cis!, route).includes(code) }).toEqual({
          route,
          code,
          named: true,
        });
    expect(codes(docs.cis!, 'POST /peers/{pseudonym}/purchases')).toContain('CIS.PURCHASE_CAPPED');
    expect(codes(docs.cis!, 'POST /double-spends')).toContain('P2P.PROOF_INVALID');
    const purchase = codes(docs.peer!, 'POST /content/{contentId}/purchase');
    for (const code of ['P2P.DOUBLE_SPEND', 'P2P.PAYWORD_FORGED', 'P2P.NOT_PAYEE', 'P2P.MALFORMED'])
      expect({ code, named: purchase.includes(code) }).toEqual({ code, named: true });
    expect(codes(docs.peer!, 'POST /control/redeem')).toContain('PEER.CIS_UNREACHABLE');
    // The control API is the owner's: bearer-authenticated, no Authorization parameter beside the scheme.
    for (const [route, op] of operations(docs.peer!).filter(([r]) => r.includes('/control/'))) {
      expect({ route, security: op.security }).toEqual({ route, security: [{ bearer: [] }] });
      expect(JSON.stringify(op.responses['401'])).toContain('AUTH.UNAUTHORISED');
      expect((op.parameters ?? []).map((p) => p.name.toLowerCase())).not.toContain('authorization');
    }
    const body = (doc: OpenAPIObject, route: string) =>
      (
        operations(doc).find(([r]) => r === route)?.[1].requestBody as {
          content: Record<
            string,
            { schema: { properties: Record<string, { type?: string; pattern?: string }> } }
          >;
        }
      ).content['application/json']!.schema.properties;
    expect(body(docs.cis!, 'POST /peers/{pseudonym}/purchases').coins!.type).toBe('integer');
    expect(body(docs.cis!, 'POST /peers/{pseudonym}/content').price!.type).toBe('integer');
    expect(body(docs.cis!, 'POST /peers/{pseudonym}/content').sha256!.pattern).toBe('^[0-9a-f]{64}$');
    expect(body(docs.peer!, 'POST /control/buy').coins!.type).toBe('integer');
  });

  it('broker-mobile is the broker document and the Mobile-NetPay routes, each naming its refusals', () => {
    const web = operations(docs.broker!);
    const mobile = operations(docs['broker-mobile']!);
    // Every web operation as in broker.json: the mobile SP only adds routes.
    for (const [route, op] of web)
      expect({ route, op: mobile.find(([r]) => r === route)?.[1] }).toEqual({ route, op });
    const added = mobile.filter(([route]) => !web.some(([r]) => r === route));
    expect(added.map(([route]) => route).sort()).toEqual([
      'DELETE /mobile/vendors/{vendorId}',
      'GET /mobile/account',
      'GET /operator/subscribers/{msisdn}',
      'POST /mobile/purchases',
      'POST /mobile/top-ups',
      'POST /mobile/vendors/{vendorId}/token',
      'POST /operator/subscribers',
      'POST /operator/subscribers/{msisdn}/bar',
    ]);
    const codes = (route: string, status: string) =>
      JSON.stringify(added.find(([r]) => r === route)?.[1].responses[status] ?? {});
    for (const [route] of added.filter(([r]) => r.includes('/mobile/'))) {
      expect({ route, named: codes(route, '401').includes('OPERATOR.GATEWAY_UNAUTHORISED') }).toEqual({
        route,
        named: true,
      });
      expect({ route, named: codes(route, '403').includes('OPERATOR.SUBSCRIBER_UNKNOWN') }).toEqual({
        route,
        named: true,
      });
    }
    expect(codes('POST /mobile/top-ups', '422')).toContain('OPERATOR.TOP_UP_REFUSED');
    expect(codes('POST /mobile/purchases', '402')).toContain('PURCHASE.DECLINED');
    expect(codes('POST /operator/subscribers', '409')).toContain('OPERATOR.SUBSCRIBER_EXISTS');
    expect(codes('GET /operator/subscribers/{msisdn}', '404')).toContain('OPERATOR.SUBSCRIBER_NOT_FOUND');
  });

  it('leaves the load-test route out unless NOOP_ROUTE is set', async () => {
    expect(Object.keys(docs.vendor!.paths)).not.toContain('/noop/{id}');
    const withNoop = await apiDocumentOf(VendorModule.forRoot(vendorConfig({ NOOP_ROUTE: 'true' })), {
      name: 'vendor',
      version: VENDOR_VERSION,
    });
    expect(Object.keys(withNoop.paths)).toContain('/noop/{id}');
  });

  // A change to a document is deliberate: NETPAY_UPDATE_OPENAPI=1 rewrites docs/openapi/*.json.
  it.each(Object.keys(docs).map((n) => [n, n]))('%s matches docs/openapi/%s.json', (name) => {
    const file = join(SNAPSHOTS, `${name}.json`);
    const text = `${JSON.stringify(docs[name], null, 2)}\n`;
    if (UPDATE) {
      mkdirSync(SNAPSHOTS, { recursive: true });
      writeFileSync(file, text);
    }
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(JSON.parse(text));
  });
});
