export { PrismaService } from './prisma.service.js';
export { LedgerPool, ReadPool } from './ledger-pool.js';
export { inTransaction, ROLLBACK } from './transaction.js';
export { Prisma } from './generated/client.js';
export type { ApiKey, Bank, BankRevocation, Contract, Enterprise, IdempotencyRecord, LedgerEntry as LedgerRow, Checkpoint as CheckpointRow, Verification } from './generated/client.js';
export * from './generated/enums.js';
