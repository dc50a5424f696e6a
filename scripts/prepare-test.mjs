// Everything `npm test` needs before vitest: keys and the generated Prisma client. The test database
// is created and migrated by the e2e global setup; Postgres and Redis must be running (.ci/run starts them).
import { ensureKeys, generatePrismaClient } from './lib.mjs';

await ensureKeys();
generatePrismaClient();
