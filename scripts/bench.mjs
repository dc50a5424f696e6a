// `npm run bench`: builds, then runs every benchmark in bench/ one after another (never in parallel:
// they compare against baselines measured in the same run, on the same cores) and prints their figures.
import './node24.mjs';
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { build, generatePrismaClient } from './lib.mjs';

generatePrismaClient();
build();
let failed = false;
for (const file of readdirSync('bench').filter((f) => f.endsWith('.bench.ts')).sort()) {
  const compiled = `dist/bench/${file.replace(/\.ts$/, '.js')}`;
  console.log(`\n== ${file}`);
  const result = spawnSync('node', [compiled], { stdio: 'inherit' });
  if (result.status !== 0) failed = true;
}
process.exitCode = failed ? 1 : 0;
