import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createSigner, generateSigningKey } from '#protocol';
import { acceptedPositions } from '../../test/chain-audit.js';
import { repositoryRoot, VendorProcess } from '../../test/vendor-process.js';
import { VendorStack } from '../../test/vendor-stack.js';

/**
 * A client gives up on a frozen vendor; the vendor resumes and reads the request. Its spend
 * must not be recorded: the client never got (and never will get) its receipt.
 */
describe('a vendor frozen while a request waits, then resumed', () => {
  let stack: VendorStack;
  let vendor: VendorProcess;

  beforeAll(async () => {
    await promisify(execFile)(
      process.execPath,
      ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'],
      { cwd: repositoryRoot },
    );
    stack = await VendorStack.start();
    const key = generateSigningKey('kf-1');
    stack.broker.registerVendor('kf', createSigner(key));
    vendor = await VendorProcess.start(stack, 'kf', key.privateKey);
  }, 180_000);
  afterAll(async () => {
    await vendor?.kill();
    await stack?.dispose();
  });

  it('does not record a spend whose payer stopped waiting; the payment sent again is spent once', async () => {
    const issued = await stack.broker.issue();
    const body = JSON.stringify({ ...issued.chain.spendProof(1, 1), count: 1, resource: 'clip' });
    const post = (deadline: Date, signal?: AbortSignal) =>
      fetch(`${vendor.url}/spends`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-netpay-deadline': deadline.toISOString() },
        body,
        ...(signal ? { signal } : {}),
      });

    vendor.signal('SIGSTOP');
    const abandoned = post(new Date(Date.now() + 500), AbortSignal.timeout(500)).then(
      () => 'answered',
      () => 'gave up',
    );
    expect(await abandoned).toBe('gave up');
    await new Promise((r) => setTimeout(r, 200)); // the deadline is well past now
    vendor.signal('SIGCONT');

    // Sent again (in time): the chain's lock orders it after the abandoned request, so a
    // recorded first spend would make this answer a duplicate.
    const retry = await post(new Date(Date.now() + 30_000));
    expect(retry.status).toBe(201);
    expect(((await retry.json()) as { duplicate: boolean }).duplicate).toBe(false);
    expect(await acceptedPositions(stack.store, issued.chain.chainId)).toEqual([
      { position: 1, vendorId: 'kf' },
    ]);
  });
});
