/**
 * Time for every service comes from here, never from `Date.now()` directly, so tests control it.
 */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
