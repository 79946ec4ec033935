// One jest config; the tier (unit | int | e2e) picks the files by suffix.
import { existsSync } from 'node:fs';

const tier = process.env.NETPAY_TEST_TIER ?? 'unit';
const suffix = { unit: 'spec', int: 'int-spec', e2e: 'e2e-spec' }[tier];
if (!suffix) throw new Error(`unknown test tier ${tier}`);

/** @type {import('jest').Config} */
export default {
  rootDir: '.',
  testEnvironment: 'node',
  roots: ['apps', 'libs', 'packages', 'examples', 'test']
    .filter((dir) => existsSync(dir))
    .map((dir) => `<rootDir>/${dir}`),
  testMatch: [`**/*.${suffix}.ts`],
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { swcrc: true }] },
  // `#protocol`, `#platform`, … : scripts/jest-resolver.cjs (to the sources, for our files only).
  resolver: '<rootDir>/scripts/jest-resolver.cjs',
  moduleNameMapper: {
    '^@netpay/nest-paid$': '<rootDir>/packages/nest-paid/src/index.ts',
    '^@netpay/wallet$': '<rootDir>/packages/wallet/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testTimeout: tier === 'unit' ? 20_000 : 60_000,
  maxWorkers: tier === 'unit' ? '50%' : 1,
};
