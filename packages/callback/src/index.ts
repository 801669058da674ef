export {
  headerProblem,
  isReservedHeader,
  RESERVED_HEADER_PREFIXES,
  SCHEDULER_HEADERS,
  TRANSPORT_HEADERS,
} from './headers.js';
export { DEFAULT_BACKOFF, defaultRetryPolicy, type RetryPolicyDefaults } from './retry.js';
export { generateSigningSecret, SIGNING_SECRET_PREFIX, secretKey, signatureHeader } from './signing.js';
export {
  type AllowList,
  allowListProblem,
  type BlockedTarget,
  blockedRange,
  blockedTarget,
  describeBlocked,
  literalAddress,
  parseAllowList,
} from './ssrf-policy.js';
