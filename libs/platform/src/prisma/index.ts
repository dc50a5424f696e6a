export { PrismaService } from './prisma.service.js';
export { Prisma } from './generated/client.js';
export type * from './generated/models.js';
export * from './generated/enums.js';
