import { parseArgs } from 'node:util';
import { progressPrinter, runLedgerMonitor, type ProgressSink, type RunMonitorOptions } from '@kyc/ledger';

/**
 * `npm run audit:verify`: the ledger monitor from a terminal or a cron job. Flags in, one JSON
 * report out; the monitor itself lives in @kyc/ledger.
 */

export const AUDIT_VERIFY_HELP = `Usage: npm run audit:verify -- [options]

Monitors the broker's distribution ledger the way Certificate Transparency monitors watch a log.
Each run takes a checkpoint (a C2SP signed note), checks that the pinned log key signed it and
that enough pinned witnesses cosigned it, checks that it extends the checkpoint remembered from the
last run (RFC 9162 consistency proof, verified here), then streams every entry, re-hashes it and
recomputes the checkpoint's root. Keys are never taken from the broker.

Options:
  --url <url>            the broker (default http://127.0.0.1:3000)
  --key <key>            an auditor API key (default: the AUDITOR_KEY environment variable)
  --state <file>         the state file (default ./ledger-monitor.json)
  --log-key <vkey>       the log's note verifier key, <name>+<key id>+<base64 key>; its name is the
                         checkpoint origin. Needed on the first run; later runs read it from the state
  --witness <vkey>       a witness's cosignature/v1 verifier key; repeat the flag for each witness
  --quorum <n>           how many distinct pinned witnesses must have cosigned (default: all of them)
  --origin <origin>      which remembered log to check, when the state file holds several
  --repin                replace the keys and quorum pinned in the state file by the flags given
  --no-new-checkpoint    check the latest checkpoint instead of asking the broker for a new one
  --no-entries           skip the entries: signatures and consistency only (a quick run)
  --quiet                no progress on stderr
  -h, --help             this text
  Boolean flags also take =true or =false (--entries=false is --no-entries).

State file:
  JSON with, per log origin, the pinned log key, witness keys and quorum, and the last verified
  checkpoint (size, root hash, the whole note, when it was verified). It is replaced atomically and
  only after a run in which everything verified. A later checkpoint must not be smaller (rollback),
  at the same size must have the same root, and when larger must be proved consistent with it.
  If the flags name other keys or another quorum than the state file, the run is refused (exit 2)
  unless --repin is given; --repin keeps the remembered checkpoint.

Trust on first use:
  Without a remembered checkpoint, the first one that verifies (signature, quorum, every entry) is
  trusted as the start of history. Only the checkpoint is trusted on first use, never a key: the
  keys come from your flags, obtained out of band from the broker's operator and the witnesses.

Output and exit status:
  stdout: {ok, origin, tree_size, previous_size, first_use, cosignatures, cosigned_by, quorum,
  entries, problems}. Exit 0 when everything verified, 1 on any problem, 2 on a usage error.

Example:
  AUDITOR_KEY=... npm run audit:verify -- --url https://broker.example \\
    --log-key 'broker.example/kyc-ledger+1a2b3c4d+AV...' \\
    --witness 'witness.example+5e6f7a8b+BM...' --quorum 1 --state /var/lib/kyc/ledger-monitor.json
  then, from cron, with the keys read from the state:  npm run audit:verify -- --url https://broker.example
`;

export interface AuditVerifyIo {
  /** The AUDITOR_KEY environment variable. */
  readonly auditorKey: string | undefined;
  readonly stdout: (text: string) => void;
  readonly stderr: ProgressSink;
  readonly fetch?: typeof fetch;
}

const OPTIONS = {
  url: { type: 'string', default: 'http://127.0.0.1:3000' },
  key: { type: 'string' },
  state: { type: 'string', default: './ledger-monitor.json' },
  'log-key': { type: 'string' },
  witness: { type: 'string', multiple: true },
  quorum: { type: 'string' },
  origin: { type: 'string' },
  repin: { type: 'boolean', default: false },
  'new-checkpoint': { type: 'boolean', default: true },
  entries: { type: 'boolean', default: true },
  quiet: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

const BOOLEANS = new Set(Object.entries(OPTIONS).flatMap(([name, o]) => (o.type === 'boolean' ? [name] : [])));

export class AuditVerifyUsageError extends Error {}

export type AuditVerifyArgs = Omit<RunMonitorOptions, 'onProgress' | 'fetch'> & { readonly quiet: boolean };

/** The monitor's options from the command line; undefined for --help. */
export function parseAuditVerifyArgs(argv: readonly string[], auditorKey: string | undefined): AuditVerifyArgs | undefined {
  let values;
  try {
    ({ values } = parseArgs({ args: argv.map(booleanValue), options: OPTIONS, allowNegative: true, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new AuditVerifyUsageError(err instanceof Error ? err.message : String(err));
  }
  if (values.help) return undefined;
  const key = values.key ?? auditorKey;
  if (key === undefined || key === '') throw new AuditVerifyUsageError('an auditor key is needed: --key <key> or AUDITOR_KEY');
  if (values.quorum !== undefined && !/^\d+$/.test(values.quorum)) throw new AuditVerifyUsageError('--quorum must be a whole number');
  let url: URL;
  try {
    url = new URL(values.url);
  } catch {
    throw new AuditVerifyUsageError(`--url ${values.url} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AuditVerifyUsageError('--url must be http or https');
  return {
    url: values.url,
    key,
    statePath: values.state,
    logKey: values['log-key'],
    witnesses: values.witness,
    quorum: values.quorum === undefined ? undefined : Number(values.quorum),
    origin: values.origin,
    repin: values.repin,
    newCheckpoint: values['new-checkpoint'],
    entries: values.entries,
    quiet: values.quiet,
  };
}

/** Runs the monitor as the command line says; answers the exit status. */
export async function runAuditVerify(argv: readonly string[], io: AuditVerifyIo): Promise<0 | 1 | 2> {
  let parsed;
  try {
    parsed = parseAuditVerifyArgs(argv, io.auditorKey);
  } catch (err) {
    if (!(err instanceof AuditVerifyUsageError)) throw err;
    io.stderr.write(`audit:verify: ${err.message}\n(see --help)\n`);
    return 2;
  }
  if (parsed === undefined) {
    io.stdout(AUDIT_VERIFY_HELP);
    return 0;
  }
  const { quiet, ...options } = parsed;
  const progress = quiet ? undefined : progressPrinter(io.stderr);
  const run = await runLedgerMonitor({ ...options, fetch: io.fetch, onProgress: progress?.update });
  progress?.done();
  if (run.error !== undefined) io.stderr.write(`audit:verify: ${run.error}\n(see --help)\n`);
  if (run.report?.ok === true && run.report.first_use && !quiet) {
    io.stderr.write(`audit:verify: first run for ${run.report.origin}: checkpoint ${run.report.tree_size} trusted on first use, remembered in ${options.statePath}\n`);
  }
  if (run.report !== undefined) io.stdout(`${JSON.stringify(run.report, null, 2)}\n`);
  return run.exitCode;
}

/** `--entries=false` is `--no-entries`; parseArgs gives boolean options no value of their own. */
function booleanValue(arg: string): string {
  const match = /^--([a-z-]+)=(true|false)$/.exec(arg);
  if (match === null || !BOOLEANS.has(match[1] ?? '')) return arg;
  return match[2] === 'true' ? `--${match[1]}` : `--no-${match[1]}`;
}
