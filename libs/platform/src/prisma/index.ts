export { PrismaService } from './prisma.service.js';
export { Prisma } from './generated/client.js';
export type { ApiKey, Bank, Contract, Enterprise, IdempotencyRecord, LedgerEntry as LedgerRow, Verification } from './generated/client.js';
export * from './generated/enums.js';
