export { canonicalJson } from './canonical-json.js';
export * from './entry.js';
export { commitment, newSalt } from './commitment.js';
export * from './merkle.js';
export { MerkleFrontier } from './frontier.js';
export * from './checkpoint.js';
export * from './proofs.js';
export * from './verifier.js';
export * from './note.js';
