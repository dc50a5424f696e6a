import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The browser bundle scripts/build-dashboard.mjs writes (esbuild, from browser/main.ts), relative to
 * the repository root. `npm run build` (and `npm start`, `npm test`) build it.
 *
 * The root is found by walking up from this file to the first directory holding a package.json, not
 * from process.cwd(): this file runs from apps/broker/src/audit-dashboard/ under vitest and from
 * dist/apps/broker/src/audit-dashboard/ when built (from the checkout, or /app in the image), and
 * both lead to the same root. The bundle sits in dist/ next to the compiled broker: a build output,
 * ignored by git and Docker like the rest of dist/.
 */
export const DASHBOARD_BUNDLE = 'dist/audit-dashboard/app.js';

function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}: cannot locate ${DASHBOARD_BUNDLE}`);
    dir = parent;
  }
  return dir;
}

/** The bundle's text; throws at start-up, with what to run, when it has not been built. */
export function loadDashboardScript(): string {
  const file = path.join(packageRoot(), DASHBOARD_BUNDLE);
  if (!existsSync(file)) {
    throw new Error(`The auditor dashboard's browser bundle ${file} is missing: build it with \`npm run build\` or \`node scripts/build-dashboard.mjs\`.`);
  }
  return readFileSync(file, 'utf8');
}
