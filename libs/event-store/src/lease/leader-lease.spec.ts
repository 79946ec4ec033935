import { describe, expect, it, jest } from '@jest/globals';
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

  it('keeps the lease through renewals answered later than the request time-out but within the lease', async () => {
    jest.useFakeTimers();
    try {
      const REQUEST_TIMEOUT = 2_000; // the store's own request time-out
      const REPLY = 3_000; // a starved store: each write is made at once, its answer comes late
      const inner = new InMemoryLeaseRegister();
      let slow = false;
      const starved: LeaseRegister = {
        read: (): Promise<StoredLease | undefined> => inner.read(),
        write: async (
          r: LeaseRecord,
          seq: number,
          o?: { timeoutMs?: number },
        ): Promise<number | undefined> => {
          const result = await inner.write(r, seq);
          if (!slow) return result;
          const timeout = o?.timeoutMs ?? REQUEST_TIMEOUT;
          await new Promise((resolve) => setTimeout(resolve, Math.min(REPLY, timeout)));
          if (REPLY > timeout) throw new Error(`no reply within ${timeout} ms`);
          return result;
        },
      };
      const events: string[] = [];
      const a = new LeaderLease(starved, {
        holder: 'a',
        ttlMs: TTL, // held until 7.2 s after a renewal was sent: a 3 s answer leaves room
        now: () => Date.now(),
        onAcquired: (token) => events.push(`a acquired ${token}`),
        onLost: (reason) => events.push(`a lost: ${reason}`),
      });
      await a.step();
      slow = true;
      for (let i = 0; i < 4; i++) {
        await jest.advanceTimersByTimeAsync(TTL / 9);
        const renewal = a.step();
        renewal.catch(() => undefined);
        await jest.advanceTimersByTimeAsync(REPLY);
        await renewal;
        expect(a.held).toBe(true);
      }
      expect(a.assertHeld()).toBe(1);
      expect(events).toEqual(['a acquired 1']);
    } finally {
      jest.useRealTimers();
    }
  });

  it('takes its own record back at once after its lease ran out, and says nobody held it in between', async () => {
    const inner = new InMemoryLeaseRegister();
    let down = false;
    const w = world({
      read: (): Promise<StoredLease | undefined> => inner.read(),
      write: (r: LeaseRecord, seq: number): Promise<number | undefined> =>
        down && r.holder === 'a' ? Promise.reject(new Error('down')) : inner.write(r, seq),
    });
    const continued: boolean[] = [];
    w.a.on(
      (_token, again) => continued.push(again),
      () => undefined,
    );
    await w.a.step();
    await w.b.step(); // b watches a's record
    w.advance(TTL - TTL / 5); // a was starved: its lease ran out before it renewed it
    expect(w.a.held).toBe(false);
    down = true;
    await expect(w.a.step()).rejects.toThrow('down'); // it learns it lost the lease
    down = false;
    await w.a.step(); // and takes its own record back without waiting a TTL
    expect(w.a.held).toBe(true);
    await w.b.step();
    expect(w.b.held).toBe(false);
    // Another holder in between: not a continuation.
    w.advance(TTL);
    await w.b.step();
    await w.b.step();
    expect(w.b.held).toBe(true);
    await w.a.step(); // its renewal is refused: b holds it
    await w.b.stop();
    await w.a.step();
    expect(w.a.held).toBe(true);
    expect(continued).toEqual([false, true, false]);
    expect(w.events).toEqual([
      'a acquired 1',
      'a lost: the lease could not be renewed before it ran out',
      'a acquired 2',
      'b acquired 3',
      'a lost: another instance took the lease',
      'a acquired 6',
    ]);
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
