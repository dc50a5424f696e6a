// Preloaded into a benchmark's broker (`BENCH_BROKER_NODE_ARGS="--import ./bench/support/cpu-profile.mjs"`)
// to write a V8 CPU profile on SIGTERM, which `--cpu-prof` misses because Nest re-raises the signal.
// The profile goes to CPU_PROFILE_DIR (default .tmp/profiles) as <pid>.cpuprofile.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';

const dir = process.env.CPU_PROFILE_DIR ?? '.tmp/profiles';
const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 200 });
session.post('Profiler.start');

process.prependListener('SIGTERM', () => {
  session.post('Profiler.stop', (err, result) => {
    if (err) return;
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
  });
});
