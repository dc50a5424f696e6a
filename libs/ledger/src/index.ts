export { canonicalJson } from './canonical-json.js';
export * from './entry.js';
export { commitment, newSalt } from './commitment.js';
