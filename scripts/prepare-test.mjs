// Everything `npm test` needs before vitest: keys, the generated Prisma client, the auditor
// dashboard's browser bundle (the broker, run from source by the tests, serves it and will not start
// without it) and Chromium for the browser tests. The test database is created and migrated by the
// e2e global setup; Postgres and Redis must be running (.ci/run starts them).
import './node24.mjs';
import { buildDashboard } from './build-dashboard.mjs';
import { ensureChromium } from './ensure-chromium.mjs';
import { ensureKeys, generatePrismaClient } from './lib.mjs';

await ensureKeys();
generatePrismaClient();
buildDashboard();
await ensureChromium();
