/**
 * Scenarios expected to fail against the code this suite was written against (commit 0ec096b,
 * issue 15), and why. The suite still fails when they do: this only labels the output, so a new
 * failure stands out from the known ones. Remove an entry once its fix lands (the output says
 * "passes now" when a listed scenario passes).
 */
export const KNOWN_FAILURES: Readonly<Record<string, string>> = {};
