// Bundles the auditor dashboard's browser code (apps/broker/src/audit-dashboard/browser/main.ts and
// its imports) into one IIFE script with esbuild. `npm run build`, `npm start` and `npm test` call
// buildDashboard(); run alone: `node scripts/build-dashboard.mjs [--minify] [--sourcemap]`.
//
// The output, dist/audit-dashboard/app.js under the repository root, is where the broker looks for
// it (DASHBOARD_BUNDLE in apps/broker/src/audit-dashboard/dashboard.bundle.ts): it walks up from its
// own file to the directory holding package.json, so the built broker (dist/apps/broker/src/…, also
// in the image at /app) and the broker run from source under vitest both find it, whatever the
// working directory. Keep the two paths in step.
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BROWSER_DIR = 'apps/broker/src/audit-dashboard/browser';
export const DASHBOARD_BUNDLE = 'dist/audit-dashboard/app.js';

/**
 * Writes the bundle and returns its path. Synchronous (esbuild's buildSync), like the other build
 * steps in lib.mjs. Readable by default; `sourcemap` inlines a source map (the page serves no other
 * file than app.js).
 */
export function buildDashboard({ minify = false, sourcemap = false } = {}) {
  const outfile = path.join(ROOT, DASHBOARD_BUNDLE);
  esbuild.buildSync({
    absWorkingDir: ROOT,
    entryPoints: [path.join(BROWSER_DIR, 'main.ts')],
    tsconfig: path.join(BROWSER_DIR, 'tsconfig.json'),
    outfile,
    bundle: true,
    format: 'iife',
    // A browser bundle: esbuild refuses Node built-ins, so no server code can slip in.
    platform: 'browser',
    target: ['es2023'],
    minify,
    sourcemap: sourcemap ? 'inline' : false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  return outfile;
}

const invokedDirectly = process.argv[1] !== undefined && pathToFileURL(realpathSync(process.argv[1])).href === import.meta.url;
if (invokedDirectly) {
  const args = new Set(process.argv.slice(2));
  const outfile = buildDashboard({ minify: args.has('--minify'), sourcemap: args.has('--sourcemap') });
  console.log(`built ${path.relative(ROOT, outfile)}`);
}
