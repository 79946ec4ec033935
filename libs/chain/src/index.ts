export * from './chain.state.js';
export * from './chain.errors.js';
export * from './chain.decide.js';
