// `npm start`: keys, build, database, migrations, seed, then broker + both banks in the foreground.
import { spawn, spawnSync } from 'node:child_process';
import { build, DEFAULT_DATABASE_URL, ensureDatabase, ensureKeys, generatePrismaClient, migrate } from './lib.mjs';

const env = { BANK_CONTROL: '1', ...process.env };
const databaseUrl = env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const brokerUrl = env.BROKER_PUBLIC_URL ?? `http://127.0.0.1:${env.BROKER_PORT ?? 3000}`;
const bankA = `http://127.0.0.1:${env.BANK_A_PORT ?? 4001}`;
const bankB = `http://127.0.0.1:${env.BANK_B_PORT ?? 4002}`;

const created = await ensureKeys();
if (created.length > 0) console.log(`generated development keys in .keys/: ${created.join(', ')}`);
generatePrismaClient();
build();
await ensureDatabase(databaseUrl);
migrate(databaseUrl);
const seeded = spawnSync('node', ['dist/prisma/seed-main.js', '--demo'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
if (seeded.status !== 0) throw new Error('seeding failed');
const demo = JSON.parse(seeded.stdout.trim().split('\n').pop());

const apps = [
  ['bank-a', 'dist/apps/mock-bank-a/src/main.js'],
  ['bank-b', 'dist/apps/mock-bank-b/src/main.js'],
  ['broker', 'dist/apps/broker/src/main.js'],
];
const children = apps.map(([name, file]) => {
  const child = spawn('node', [file], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${name} exited (${code ?? signal}); stopping`);
      stop(1);
    }
  });
  return child;
});

let stopping = false;
function stop(code = 0) {
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 1500).unref();
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

async function waitFor(url) {
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not come up`);
}

await Promise.all([waitFor(`${bankA}/.well-known/openid-configuration`), waitFor(`${bankB}/.well-known/openid-configuration`), waitFor(`${brokerUrl}/healthz`)]);
console.log(`
KYC broker is up.
  broker        ${brokerUrl}   (health: ${brokerUrl}/readyz)
  Kaede Bank    ${bankA}   (bank-a; customers: ${bankA}/__control/customers)
  Tsubame Bank  ${bankB}   (bank-b; customers: ${bankB}/__control/customers)

Demo API keys (kept in .keys/demo.json):
  enterprise  "Demo Fintech"     (full contracts)       ${demo.enterprise_key}
  enterprise  "Demo Car Dealer"  (match-only contracts) ${demo.matcher_key}
  operator                                              ${demo.operator_key}
  auditor                                               ${demo.auditor_key}
Demo redirect_uri: http://127.0.0.1:5555/callback   purposes: account_opening, age_verification
Customers log in at the bank with their customer number and the password "password".
Press Ctrl+C to stop.
`);
