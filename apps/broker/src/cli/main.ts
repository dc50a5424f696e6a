import { loadCliConfig } from './cli-config.js';
import { runCli } from './operator-cli.js';

process.exitCode = await runCli(process.argv.slice(2), { ...loadCliConfig(), out: (line) => console.log(line) });
