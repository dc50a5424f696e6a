// Makes sure Debian's Chromium is installed for the browser tests (playwright-core drives it; it never
// downloads a browser of its own). Silent when it is already there; one line when it installed it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';

function aptGet(args) {
  const result = spawnSync('apt-get', args, {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    encoding: 'utf8',
  });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}` };
}

export async function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  const install = ['install', '-y', '-q', 'chromium'];
  let attempt = aptGet(install);
  if (!attempt.ok) {
    // A fresh machine often has stale or empty package lists.
    const update = aptGet(['update', '-q']);
    if (!update.ok) throw new Error(`apt-get update failed:\n${update.output}`);
    attempt = aptGet(install);
  }
  if (!attempt.ok || !existsSync(CHROMIUM)) throw new Error(`could not install chromium:\n${attempt.output}`);
  console.log(`installed chromium (${CHROMIUM})`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await ensureChromium();
}
