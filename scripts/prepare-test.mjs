// Everything `npm test` needs before vitest: keys, the generated Prisma client and Chromium for the
// browser tests. The test database is created and migrated by the e2e global setup; Postgres and
// Redis must be running (.ci/run starts them).
import { ensureChromium } from './ensure-chromium.mjs';
import { ensureKeys, generatePrismaClient } from './lib.mjs';

await ensureKeys();
generatePrismaClient();
await ensureChromium();
