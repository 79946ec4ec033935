import { describe, expect, it } from '@jest/globals';
import { TurnGate } from './turn-gate.js';

describe('TurnGate', () => {
  it('lets the waiters of one turn go on together, after the microtasks of the turn', async () => {
    const gate = new TurnGate();
    const order: string[] = [];
    const first = gate.next().then(() => order.push('a'));
    const second = gate.next().then(() => order.push('b'));
    setImmediate(() => order.push('queued after'));
    queueMicrotask(() => order.push('microtask'));
    await Promise.all([first, second]);
    expect(order).toEqual(['microtask', 'a', 'b']);
    // A setImmediate queued after the gate opened runs after its waiters.
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['microtask', 'a', 'b', 'queued after']);
  });

  it('opens again for the next turn', async () => {
    const gate = new TurnGate();
    const one = gate.next();
    expect(gate.next()).toBe(one);
    await one;
    const two = gate.next();
    expect(two).not.toBe(one);
    await expect(two).resolves.toBeUndefined();
  });
});
