import { describe, expect, it } from '@jest/globals';
import { LeaseNotHeldError } from '#event-store';
import { DEFAULT_STATUS_BY_CODE, mapError } from '#platform';
import { REDEMPTION_STATUS_BY_CODE } from './tokens.js';

describe("the redemption worker's statuses", () => {
  it('answers a night that lost its lease mid-way with a 503 to retry, not a 422 taken as final', () => {
    // Found reading the routes against their OpenAPI: LEASE.NOT_HELD fell to the platform's 422.
    const statusByCode = { ...DEFAULT_STATUS_BY_CODE, ...REDEMPTION_STATUS_BY_CODE };
    const lost = new LeaseNotHeldError('the lease was taken during the night', 'lapsed');
    expect(mapError(lost, statusByCode)).toMatchObject({ status: 503, code: 'LEASE.NOT_HELD' });
    expect(mapError(new LeaseNotHeldError('never held'), statusByCode).status).toBe(503);
  });
});
