export * from './subjects.js';
export * from './messages.js';
