// Shared steps of `npm start` and `npm test`: keys, Prisma client, build (the database: database.mjs).
import { spawnSync } from 'node:child_process';
import { buildDashboard } from './build-dashboard.mjs';
import { ensureKeys } from './ensure-keys.mjs';

export function run(command, args, env = process.env) {
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed with exit code ${result.status ?? result.signal}`);
  }
}

export { ensureKeys };

export function generatePrismaClient() {
  run('npx', ['prisma', 'generate']);
}

/** The broker (nest build), then the auditor dashboard's browser bundle it serves. */
export function build() {
  run('npx', ['nest', 'build', 'broker']);
  buildDashboard();
}
