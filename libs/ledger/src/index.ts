export { canonicalJson } from './canonical-json.js';
export * from './entry.js';
export { commitment, newSalt } from './commitment.js';
export * from './merkle.js';
export * from './checkpoint.js';
export * from './proofs.js';
export * from './verifier.js';
