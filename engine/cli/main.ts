#!/usr/bin/env node
import { ENGINE } from '../package-info.js';
import { EXIT } from './exit.js';

// Commands load on use: `data` need not load the scrub engine, nor `scrub` the importers.

const USAGE = `claimscrub ${ENGINE.version}: scrub professional claims before they go to the payer.

Usage: claimscrub <command> [options]

Commands:
  scrub [files...]   check claims against the rule pack and print a report
  data <command>     import official reference data (ICD-10-CM) and list what is installed

Run 'claimscrub scrub --help' or 'claimscrub data --help' for a command's options.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const io = { stdout: process.stdout, stderr: process.stderr, env: process.env };
  switch (command) {
    case 'scrub':
      return (await import('./scrub-command.js')).scrubCommand(rest, io);
    case 'data':
      return (await import('./data-command.js')).dataCommand(rest, io);
    case '--version':
    case '-v':
      process.stdout.write(`${ENGINE.version}\n`);
      return EXIT.ok;
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? EXIT.error : EXIT.ok;
    default:
      process.stderr.write(`claimscrub: unknown command "${command}"\n\n${USAGE}\n`);
      return EXIT.error;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`claimscrub: internal error: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = EXIT.error;
  },
);
