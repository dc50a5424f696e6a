// The preparation `npm start` does before starting anything: keys, Prisma client, build, database,
// migrations, seed. Run alone (`node scripts/setup.mjs --no-build`) it prepares a container deployment.
import './node24.mjs';
import { spawnSync } from 'node:child_process';
import { prepareDatabase } from './database.mjs';
import { build, ensureKeys, generatePrismaClient } from './lib.mjs';

/** Returns the demo secrets the seed printed. */
export async function setup({ buildApps = true, env = process.env } = {}) {
  const created = await ensureKeys();
  if (created.length > 0) console.log(`generated development keys in .keys/: ${created.join(', ')}`);
  if (buildApps) {
    generatePrismaClient();
    build();
  }
  // Roles, database and migrations (as the owner role); the seed then runs as the broker's role.
  await prepareDatabase({ env });
  const seeded = spawnSync('node', ['dist/prisma/seed-main.js', '--demo'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (seeded.status !== 0) throw new Error('seeding failed');
  return JSON.parse(seeded.stdout.trim().split('\n').pop());
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await setup({ buildApps: !process.argv.includes('--no-build') });
  console.log('database migrated and seeded');
}
