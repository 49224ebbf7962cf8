export * from './arbitrary-graph.js';
export * from './finite-differences.js';
export * from './float64-loss.js';
export * from './random.js';
export * from './reference.js';
