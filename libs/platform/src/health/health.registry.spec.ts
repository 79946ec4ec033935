import { describe, expect, it } from '@jest/globals';
import { HealthRegistry } from './health.registry.js';

describe('HealthRegistry', () => {
  it('is ready when every check passes (and with no checks at all)', async () => {
    const registry = new HealthRegistry();
    expect((await registry.readiness()).status).toBe('ok');
    registry.register('redis', async () => 'PONG');
    registry.register('nats', () => undefined);
    const report = await registry.readiness();
    expect(report.status).toBe('ok');
    expect(Object.keys(report.checks).sort()).toEqual(['nats', 'redis']);
    expect(report.checks.redis?.status).toBe('up');
  });

  it('reports the failing check with its reason, and the others as up', async () => {
    const registry = new HealthRegistry();
    registry.register('redis', async () => {
      throw new Error('connect ECONNREFUSED');
    });
    registry.register('nats', () => {
      throw new Error('disconnected');
    });
    registry.register('event-store', async () => true);
    const report = await registry.readiness();
    expect(report.status).toBe('unavailable');
    expect(report.checks.redis).toMatchObject({ status: 'down', error: 'connect ECONNREFUSED' });
    expect(report.checks.nats).toMatchObject({ status: 'down', error: 'disconnected' });
    expect(report.checks['event-store']?.status).toBe('up');
  });

  it('bounds a hanging check by its time-out', async () => {
    const registry = new HealthRegistry();
    registry.register('stuck', () => new Promise(() => undefined), { timeoutMs: 20 });
    const report = await registry.readiness();
    expect(report.checks.stuck).toMatchObject({ status: 'down', error: 'no answer within 20 ms' });
  });

  it('refuses a second check under the same name', () => {
    const registry = new HealthRegistry();
    registry.register('redis', () => undefined);
    expect(() => registry.register('redis', () => undefined)).toThrow(/already registered/);
  });

  it('stops being ready once shutdown begins', async () => {
    const registry = new HealthRegistry();
    registry.beforeApplicationShutdown();
    const report = await registry.readiness();
    expect(report.status).toBe('unavailable');
    expect(report.checks.shutdown?.status).toBe('down');
  });
});
