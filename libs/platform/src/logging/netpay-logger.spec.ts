import { describe, expect, it } from '@jest/globals';
import { FixedClock } from '../clock/clock.js';
import { ConfigError } from '../config/config-error.js';
import {
  NetPayLogger as JsonLogger,
  type NetPayLoggerOptions as JsonLoggerOptions,
} from './netpay-logger.js';

function capture(options: Partial<JsonLoggerOptions> = {}): { logger: JsonLogger; lines: string[] } {
  const lines: string[] = [];
  const clock = new FixedClock('2025-05-01T08:00:00Z');
  return {
    logger: new JsonLogger({ service: 'vendor', clock, write: (l) => lines.push(l), ...options }),
    lines,
  };
}

describe('NetPayLogger (pino)', () => {
  it('writes one JSON object per line with level, service, context and message', () => {
    const { logger, lines } = capture();
    logger.log('chain c1 handed off', 'HandOff');
    logger.warn({ chainId: 'c1', index: 4 }, 'Spend');
    expect(lines.map((l): unknown => JSON.parse(l))).toEqual([
      {
        time: '2025-05-01T08:00:00.000Z',
        level: 'log',
        service: 'vendor',
        context: 'HandOff',
        message: 'chain c1 handed off',
      },
      {
        time: '2025-05-01T08:00:00.000Z',
        level: 'warn',
        service: 'vendor',
        context: 'Spend',
        message: { chainId: 'c1', index: 4 },
      },
    ]);
  });

  it("keeps Nest's (message, stack, context) error arguments apart", () => {
    const { logger, lines } = capture();
    const stack = 'Error: boom\n    at handler (/app/x.js:1:2)';
    logger.error('boom', stack, 'Errors');
    logger.error('lonely stack', stack);
    logger.error(new Error('thrown'));
    const [a, b, c] = lines.map((l) => JSON.parse(l) as Record<string, string | undefined>);
    expect(a).toMatchObject({ level: 'error', context: 'Errors', message: 'boom', stack });
    expect(b).toMatchObject({ message: 'lonely stack', stack });
    expect(b!.context).toBeUndefined();
    expect(c!.message).toBe('thrown');
    expect(c!.stack).toMatch(/^Error: thrown\n/);
  });

  it('drops levels below the threshold, and follows setLogLevels', () => {
    const { logger, lines } = capture({ level: 'warn' });
    logger.log('not shown');
    logger.debug('not shown');
    logger.warn('shown');
    logger.setLogLevels(['fatal', 'error']);
    logger.warn('now hidden');
    logger.error('still shown');
    logger.setLogLevels(['fatal', 'error', 'warn', 'log', 'debug']);
    logger.debug('now shown');
    expect(lines.map((l) => (JSON.parse(l) as { message: unknown }).message)).toEqual([
      'shown',
      'still shown',
      'now shown',
    ]);
  });

  it('writes plain text when the format is pretty', () => {
    const { logger, lines } = capture({ format: 'pretty' });
    logger.log('listening', 'Bootstrap');
    expect(lines).toEqual(['[2025-05-01 08:00:00.000] INFO: [vendor] Bootstrap: listening']);
  });

  // pino-pretty wrote the stack as one JSON string ("Error: x\n    at …"): unreadable for the
  // person the format is for.
  it("writes an error's stack as lines in the pretty format", () => {
    const { logger, lines } = capture({ format: 'pretty' });
    logger.error(
      'request failed',
      'Error: boom\n    at handler (app.js:1:1)\n    at run (app.js:2:2)',
      'Errors',
    );
    expect(lines.join('\n').split('\n')).toEqual([
      '[2025-05-01 08:00:00.000] ERROR: [vendor] Errors: request failed',
      '    stack: Error: boom',
      '        at handler (app.js:1:1)',
      '        at run (app.js:2:2)',
    ]);
  });

  it('reads LOG_LEVEL and LOG_FORMAT from the environment', () => {
    const lines: string[] = [];
    const clock = new FixedClock('2025-05-01T08:00:00Z');
    const logger = JsonLogger.fromEnv(
      'broker',
      { LOG_LEVEL: 'warn', LOG_FORMAT: 'pretty' },
      { write: (l) => lines.push(l), clock },
    );
    logger.log('hidden');
    logger.warn('kept');
    expect(lines).toEqual(['[2025-05-01 08:00:00.000] WARN: [broker] kept']);
  });

  it('refuses a LOG_LEVEL or LOG_FORMAT it does not know, naming the variable', () => {
    const refused = (env: Record<string, string>): ConfigError => {
      try {
        JsonLogger.fromEnv('broker', env, { write: () => undefined });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('accepted');
    };
    const level = refused({ LOG_LEVEL: 'loud' });
    expect(level).toBeInstanceOf(ConfigError);
    expect(level.message).toContain(
      'LOG_LEVEL: must be one of fatal, error, warn, log, debug, verbose (got "loud")',
    );
    expect(refused({ LOG_FORMAT: 'xml' }).problems.map((p) => p.variable)).toEqual(['LOG_FORMAT']);
  });

  it('redacts secret fields, token shapes, PEM keys and configured values, in messages and fields', () => {
    const { logger, lines } = capture({ secrets: ['admin-token-value-0001'] });
    const pem = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1\n-----END PRIVATE KEY-----';
    logger.warn('got Authorization: Bearer npc.cus_1.abcdefghijklmnop from 10.0.0.1', 'Http');
    logger.error(`could not parse ${pem}`);
    logger.log({ checkoutToken: 'nct.AAAABBBBCCCCDDDD', key: { privateKey: 'ab'.repeat(32) }, n: 3 });
    logger.pino.info(
      { headers: { authorization: 'Basic dXNlcjpwYXNz' }, note: 'admin-token-value-0001' },
      'x',
    );
    const text = lines.join('\n');
    for (const secret of [
      'npc.cus_1',
      'MC4CAQ',
      'nct.AAAA',
      'ab'.repeat(32),
      'dXNlcjpwYXNz',
      'admin-token-value',
    ])
      expect(text).not.toContain(secret);
    expect(text).toContain('Bearer [redacted]');
    expect(JSON.parse(lines[2]!)).toMatchObject({ message: { checkoutToken: '[redacted]', n: 3 } });
  });
});
