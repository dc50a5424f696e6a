export { LedgerModule } from './ledger.module.js';
export { LedgerService, type AppendedEntry, type RecordedChange } from './ledger.service.js';
export { MerkleStore, type TreeHead } from './merkle-store.js';
export { enterpriseSubjectRef, subjectRef } from './subject-ref.js';
