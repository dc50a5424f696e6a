// Makes sure Debian's nginx is installed for benchmark B1's baseline (nginx as a reverse proxy in front
// of bank A; the bench runs it with its own config and pid file, never as the system service).
// Silent when it is already there; one line when it installed it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const NGINX = '/usr/sbin/nginx';

function aptGet(args) {
  const result = spawnSync('apt-get', args, {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    encoding: 'utf8',
  });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}` };
}

export async function ensureNginx() {
  if (existsSync(NGINX)) return;
  // nginx-light has only the core modules (the proxy is one of them); newer releases fold it into nginx.
  const tryInstall = () => {
    for (const name of ['nginx-light', 'nginx']) {
      const attempt = aptGet(['install', '-y', '-q', '--no-install-recommends', name]);
      if (attempt.ok) return attempt;
    }
    return undefined;
  };
  let attempt = tryInstall();
  if (!attempt) {
    // A fresh machine often has stale or empty package lists.
    const update = aptGet(['update', '-q']);
    if (!update.ok) throw new Error(`apt-get update failed:\n${update.output}`);
    attempt = tryInstall();
  }
  if (!attempt || !existsSync(NGINX)) throw new Error('could not install nginx (apt-get install nginx-light / nginx failed)');
  console.log(`installed nginx (${NGINX})`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await ensureNginx();
}
