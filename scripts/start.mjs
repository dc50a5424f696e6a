// `npm start`: keys, build, database, migrations, seed, then broker + both banks in the foreground.
import './node24.mjs';
import { spawn } from 'node:child_process';
import { setup } from './setup.mjs';

const env = { BANK_CONTROL: '1', ...process.env };
const brokerUrl = env.BROKER_PUBLIC_URL ?? `http://127.0.0.1:${env.BROKER_PORT ?? 3000}`;
const bankA = `http://127.0.0.1:${env.BANK_A_PORT ?? 4001}`;
const bankB = `http://127.0.0.1:${env.BANK_B_PORT ?? 4002}`;

const demo = await setup({ env });

// The broker's heap is bounded (docs/adr/0011): small young generation, capped old space, so its
// resident memory stays within its budget under streaming exports and load.
const apps = [
  ['bank-a', ['dist/apps/mock-bank-a/src/main.js']],
  ['bank-b', ['dist/apps/mock-bank-b/src/main.js']],
  ['broker', ['--max-old-space-size=192', '--max-semi-space-size=4', 'dist/apps/broker/src/main.js']],
];
const children = apps.map(([name, args]) => {
  const child = spawn('node', args, { env, stdio: ['ignore', 'inherit', 'inherit'] });
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

An auditor checks the ledger with the monitor, pinning the log's key and the banks' witness keys
(the monitor remembers what it verified in ./ledger-monitor.json):
  npm run audit:verify -- --url ${brokerUrl} --key ${demo.auditor_key} --log-key ${demo.ledger_log_key} ${demo.ledger_witness_keys.map((k) => `--witness ${k}`).join(' ')}
Customers log in at the bank with their customer number and the password "password".
Press Ctrl+C to stop.
`);
