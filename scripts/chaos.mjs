// `npm run chaos`: builds, then runs the fault matrix (bench/chaos.ts) on a stack of its own — a
// private PostgreSQL and Redis (never the machine's shared servers), both banks, two brokers behind
// a balancer — and prints one row per scenario. Exits 1 when a scenario fails.
import './node24.mjs';
import { spawnSync } from 'node:child_process';
import { build, ensureKeys, generatePrismaClient } from './lib.mjs';

await ensureKeys();
generatePrismaClient();
build();
const result = spawnSync('node', ['dist/bench/chaos.js'], { stdio: 'inherit' });
process.exitCode = result.status ?? 1;
