import { parseArgs } from 'node:util';
import { verifyLedger } from '@kyc/ledger';

/**
 * `npm run audit:verify -- --url http://127.0.0.1:3000 --key <auditor key> [--no-new-checkpoint]`:
 * checks the whole history through the HTTP API alone; exits 1 on any mismatch.
 */
const { values } = parseArgs({
  options: { url: { type: 'string', default: 'http://127.0.0.1:3000' }, key: { type: 'string' }, 'no-new-checkpoint': { type: 'boolean', default: false } },
});
if (values.key === undefined) {
  console.error('usage: npm run audit:verify -- --url <broker url> --key <auditor key> [--no-new-checkpoint]');
  process.exit(2);
}
const report = await verifyLedger({ url: values.url.replace(/\/+$/, ''), key: values.key, newCheckpoint: !values['no-new-checkpoint'] }).catch(
  (err: unknown) => {
    console.error(`cannot verify: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
console.log(JSON.stringify(report, null, 2));
console.log(report.ok ? `verified: ${report.entries} entries, ${report.checkpoints} checkpoints, tree size ${report.treeSize}` : 'VERIFICATION FAILED');
process.exitCode = report.ok ? 0 : 1;
