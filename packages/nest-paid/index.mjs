// The package's entry point: the code compiled by the repository's `npm run build`.
export * from '../../dist/packages/nest-paid/src/index.js';
