import { describe, expect, it } from '@jest/globals';
import { FixedClock } from '../clock/clock.js';
import { JsonLogger, type JsonLoggerOptions } from './json-logger.js';

function capture(options: Partial<JsonLoggerOptions> = {}): { logger: JsonLogger; lines: string[] } {
  const lines: string[] = [];
  const clock = new FixedClock('2025-05-01T08:00:00Z');
  return {
    logger: new JsonLogger({ service: 'vendor', clock, write: (l) => lines.push(l), ...options }),
    lines,
  };
}

describe('JsonLogger', () => {
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
    logger.setLogLevels(['debug']);
    logger.warn('now hidden');
    logger.debug('now shown');
    expect(lines.map((l) => (JSON.parse(l) as { message: unknown }).message)).toEqual(['shown', 'now shown']);
  });

  it('writes plain text when the format is pretty', () => {
    const { logger, lines } = capture({ format: 'pretty' });
    logger.log('listening', 'Bootstrap');
    expect(lines).toEqual(['2025-05-01T08:00:00.000Z LOG     [vendor] Bootstrap: listening']);
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
    expect(lines).toEqual(['2025-05-01T08:00:00.000Z WARN    [broker] kept']);
  });
});
