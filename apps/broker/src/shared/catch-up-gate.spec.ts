import { describe, expect, it } from '@jest/globals';
import { CatchUpGate } from './catch-up-gate.js';

describe('CatchUpGate: requests answered from a feed read at start', () => {
  it('is open before its feed opens, and again once the feed has caught up', async () => {
    const gate = new CatchUpGate('customer notices');
    await expect(gate.wait(1)).resolves.toBeUndefined();
    gate.closeUntilCaughtUp();
    const waiting = gate.wait(5_000);
    gate.caughtUp();
    await expect(waiting).resolves.toBeUndefined();
    await expect(gate.wait(1)).resolves.toBeUndefined();
  });

  it('answers 503 PROJECTION.BEHIND, naming the feed, when the feed does not catch up in time', async () => {
    const gate = new CatchUpGate('vendor notices');
    gate.closeUntilCaughtUp();
    await expect(gate.wait(20)).rejects.toMatchObject({
      code: 'PROJECTION.BEHIND',
      status: 503,
      message: 'the vendor notices are not read yet; retry',
    });
  });
});
