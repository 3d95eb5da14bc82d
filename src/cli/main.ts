/**
 * Entry point: argv in, exit code out. `credential-process` with its usual arguments takes a
 * short path that loads nothing but what it needs; everything else goes through yargs.
 * Every error ends here, printed once on stderr and mapped to its exit code.
 */
import { exitCodeFor, formatError } from '../errors.js';
import { defaultIo, type Io } from './io.js';

export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  const code = await run(argv, io);
  await io.settle?.(code);
  return code;
}

async function run(argv: string[], io: Io): Promise<number> {
  const end = argv.indexOf('--');
  const debug = (end === -1 ? argv : argv.slice(0, end)).includes('--debug');
  try {
    const fast = parseCredentialProcessArgs(argv);
    if (fast) {
      const { credentialProcess } = await import('./commands/credential-process.js');
      await credentialProcess(fast, io);
      return 0;
    }
    const { runParser } = await import('./parser.js');
    return await runParser(argv, io);
  } catch (err) {
    io.stderr(formatError(err, debug));
    return exitCodeFor(err);
  }
}

/**
 * `credential-process [--profile NAME | --profile=NAME] [--debug]`, or undefined for anything
 * else (which the full parser then handles, with its help and errors).
 */
export function parseCredentialProcessArgs(argv: string[]): { profile?: string; debug: boolean } | undefined {
  if (argv[0] !== 'credential-process') return undefined;
  const out: { profile?: string; debug: boolean } = { debug: false };
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--debug') out.debug = true;
    else if (arg === '--profile' && out.profile === undefined && i + 1 < argv.length && !argv[i + 1]!.startsWith('-')) out.profile = argv[++i]!;
    else if (arg.startsWith('--profile=') && out.profile === undefined && arg.length > '--profile='.length) out.profile = arg.slice('--profile='.length);
    else return undefined;
  }
  return out;
}
