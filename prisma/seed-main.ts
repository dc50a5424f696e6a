import { NOTE_ED25519, verifierKeyOfJwk } from '@kyc/ledger';
import { loadBrokerConfig, PrismaService } from '@kyc/platform';
import { seed } from './seed.js';

/**
 * `node dist/prisma/seed-main.js [--demo]`: seeds banks, their witnesses (and the demo tenants), and
 * prints as JSON the demo keys plus what an auditor pins for `npm run audit:verify`: the log's key
 * and the witnesses' keys (public keys only).
 */
const config = loadBrokerConfig();
const prisma = new PrismaService(config);
try {
  const demo = await seed(prisma, config, { demo: process.argv.includes('--demo'), keysDir: config.keysDir });
  if (demo !== undefined) {
    const witnesses = await prisma.ledgerWitness.findMany({ orderBy: { name: 'asc' } });
    const pins = { ledger_log_key: verifierKeyOfJwk(config.ledger.origin, NOTE_ED25519, config.keys.ledgerSigningJwk), ledger_witness_keys: witnesses.map((w) => w.verifierKey) };
    process.stdout.write(`${JSON.stringify({ ...demo, ...pins })}\n`);
  }
} finally {
  await prisma.$disconnect();
}
