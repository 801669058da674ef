/**
 * Scenarios that still fail against the current code, and why (measured by this suite on the
 * 2-core machine, three scenarios at a time; see docs/reliability.md). The suite still fails
 * when they do; this only labels the output, so a new failure stands out from the known ones.
 * Remove an entry once its fix lands (the output says so when a listed scenario passes).
 */
// Empty: every scenario passes against the current code (docs/reliability.md, latest results).
export const KNOWN_FAILURES: Readonly<Record<string, string>> = {};
