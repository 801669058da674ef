export { testServices } from './context.js';
export type { TestServices } from './context.js';
