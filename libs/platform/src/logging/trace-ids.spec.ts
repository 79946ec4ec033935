import { describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { setupTracing, inSpan, tracer } from '../tracing/tracing.js';
import { NetPayLogger } from './netpay-logger.js';

// Tracing on as in every service (no exporter: ids flow, nothing is recorded).
setupTracing({ serviceName: 'test-trace-ids' });

interface Line {
  message: string;
  traceId?: string;
  spanId?: string;
}

// The request line had the trace and span ids; what a request or a night logged on its way did
// not: the redemption night's 'sealed batch …', 'paid …' and summary lines could not be tied to
// its trace (a root of its own), so the night was not followable from its log.
describe('log lines written inside a span carry its trace and span ids', () => {
  it('adds them to every line written while a span is active, and to none outside', async () => {
    const lines: string[] = [];
    const logger = new NetPayLogger({ service: 'redemption', write: (l) => lines.push(l) });
    const nest = new Logger('Redemption');
    Logger.overrideLogger(logger);
    let ids: { traceId: string; spanId: string } | undefined;
    await inSpan(tracer('test'), 'redemption night', {}, async (span) => {
      ids = { traceId: span.spanContext().traceId, spanId: span.spanContext().spanId };
      await Promise.resolve();
      nest.log('sealed batch rb_1');
      logger.warn('bank away', 'Redemption');
    });
    logger.log('outside any span');
    const parsed = lines.map((l) => JSON.parse(l) as Line);
    expect(parsed.map((l) => [l.message, l.traceId, l.spanId])).toEqual([
      ['sealed batch rb_1', ids!.traceId, ids!.spanId],
      ['bank away', ids!.traceId, ids!.spanId],
      ['outside any span', undefined, undefined],
    ]);
  });

  it("keeps an entry's own ids (the request line names the request's span)", async () => {
    const lines: string[] = [];
    const logger = new NetPayLogger({ service: 'vendor', write: (l) => lines.push(l) });
    await inSpan(tracer('test'), 'outer', {}, async () => {
      logger.pino.info({ traceId: 'own-trace', spanId: 'own-span' }, 'GET /x 200');
      await Promise.resolve();
    });
    const [line] = lines.map((l) => JSON.parse(l) as Line);
    expect(line).toMatchObject({ traceId: 'own-trace', spanId: 'own-span' });
    expect(lines[0]!.match(/"traceId"/g)).toHaveLength(1);
  });
});
