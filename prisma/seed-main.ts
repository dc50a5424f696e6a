import { loadBrokerConfig, PrismaService } from '@kyc/platform';
import { seed } from './seed.js';

/** `node dist/prisma/seed-main.js [--demo]`: seeds banks (and the demo tenants), prints the demo keys as JSON. */
const config = loadBrokerConfig();
const prisma = new PrismaService(config);
try {
  const demo = await seed(prisma, config, { demo: process.argv.includes('--demo'), keysDir: config.keysDir });
  if (demo !== undefined) process.stdout.write(`${JSON.stringify(demo)}\n`);
} finally {
  await prisma.$disconnect();
}
