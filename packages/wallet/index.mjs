// The package's entry point: the code compiled by the repository's `npm run build`. The same
// files are served to browsers as ES modules (they import nothing but each other).
export * from '../../dist/packages/wallet/src/index.js';
