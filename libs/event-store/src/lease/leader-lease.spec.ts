import { describe, expect, it } from '@jest/globals';
import {
  InMemoryLeaseRegister,
  LEASE_NOT_HELD,
  LeaderLease,
  type LeaseRecord,
  type LeaseRegister,
  type StoredLease,
} from './leader-lease.js';

const TTL = 9_000;

/** Two instances over one register, each with its own monotonic clock (they tick together here). */
function world(register: LeaseRegister = new InMemoryLeaseRegister()) {
  let t = 1_000;
  const events: string[] = [];
  const lease = (holder: string) =>
    new LeaderLease(register, {
      holder,
      ttlMs: TTL,
      now: () => t,
      onAcquired: (token) => events.push(`${holder} acquired ${token}`),
      onLost: (reason) => events.push(`${holder} lost: ${reason}`),
    });
  return {
    a: lease('a'),
    b: lease('b'),
    events,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe('LeaderLease', () => {
  it('lets one of two instances hold it; the other waits while it is renewed', async () => {
    const w = world();
    await w.a.step();
    await w.b.step();
    expect(w.a.held).toBe(true);
    expect(w.b.held).toBe(false);
    for (let i = 0; i < 10; i++) {
      w.advance(TTL / 3);
      await w.a.step();
      await w.b.step();
    }
    expect(w.a.held).toBe(true);
    expect(w.b.held).toBe(false);
    expect(() => w.b.assertHeld()).toThrow(expect.objectContaining({ code: LEASE_NOT_HELD }));
    expect(w.events).toEqual(['a acquired 1']);
  });

  it('is taken over only after the holder has not renewed it for a whole TTL', async () => {
    const w = world();
    await w.a.step();
    await w.b.step(); // b sees a's record
    w.advance(TTL - 1);
    await w.b.step();
    expect(w.b.held).toBe(false);
    w.advance(1);
    await w.b.step();
    expect(w.b.held).toBe(true);
    // a's own view ended before b took over (margin), so at no instant did both hold it.
    expect(w.a.held).toBe(false);
  });

  it('fences a holder that was paused past its lease: it refuses to write, then learns it lost', async () => {
    const w = world();
    await w.a.step();
    const token = w.a.assertHeld();
    await w.b.step();
    w.advance(TTL); // a is paused: no renewal; b watches the record stay the same
    await w.b.step();
    const newToken = w.b.assertHeld();
    expect(newToken).toBeGreaterThan(token);
    // a wakes up: before any write it checks the lease, which ran out while it slept.
    expect(() => w.a.assertHeld()).toThrow(/ran out/);
    await w.a.step(); // its renewal is refused: the register moved on
    expect(w.events).toEqual(['a acquired 1', 'b acquired 2', 'a lost: another instance took the lease']);
    expect(w.a.held).toBe(false);
    expect(w.b.held).toBe(true);
  });

  it('is taken at once after its holder released it', async () => {
    const w = world();
    await w.a.step();
    await w.b.step();
    await w.a.stop();
    await w.b.step();
    expect(w.b.held).toBe(true);
    expect(w.a.held).toBe(false);
  });

  it('keeps the lease through a short outage of the register and gives it up when it runs out', async () => {
    const inner = new InMemoryLeaseRegister();
    let down = false;
    const flaky: LeaseRegister = {
      read: (): Promise<StoredLease | undefined> => (down ? Promise.reject(new Error('down')) : inner.read()),
      write: (r: LeaseRecord, seq: number): Promise<number | undefined> =>
        down ? Promise.reject(new Error('down')) : inner.write(r, seq),
    };
    const w = world(flaky);
    await w.a.step();
    down = true;
    w.advance(TTL / 3);
    await expect(w.a.step()).rejects.toThrow('down');
    expect(w.a.held).toBe(true);
    w.advance(TTL);
    await expect(w.a.step()).rejects.toThrow('down');
    expect(w.a.held).toBe(false);
    expect(w.events).toEqual(['a acquired 1', 'a lost: the lease could not be renewed before it ran out']);
  });
});
