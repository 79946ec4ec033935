export * from './web-assets.js';
