import { runAuditVerify } from './audit-verify-cli.js';
import { loadAuditorKey } from './cli-config.js';

// `npm run audit:verify -- --help` tells the flags, the state file and trust on first use.
process.exitCode = await runAuditVerify(process.argv.slice(2), {
  auditorKey: loadAuditorKey(),
  stdout: (text) => process.stdout.write(text),
  stderr: process.stderr,
});
