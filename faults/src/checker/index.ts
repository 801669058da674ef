export { check } from './check.js';
export { compiled, expectedOccurrences, governance, pathOf } from './expected.js';
export * from './types.js';
