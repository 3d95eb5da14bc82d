/**
 * A pseudo-terminal for the interactive tests: the command runs on a real pty (Python's `pty`
 * module, on every machine that runs the e2e tests), and a script plays the person at it.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./pty_driver.py', import.meta.url));

export interface PtyStep {
  /** Wait until this text has appeared (after what earlier steps waited for)… */
  expect: string;
  /** …then type this ("\r" is Enter, "\u0003" Ctrl-C). */
  send: string;
}

export interface PtyRun {
  argv: string[];
  env: Record<string, string>;
  cwd?: string;
  cols?: number;
  steps?: PtyStep[];
  timeoutMs?: number;
}

export interface PtyResult {
  /** Everything the terminal showed (the pty turns "\n" into "\r\n"). */
  output: string;
  code: number | null;
  signal: number | null;
  timedOut: boolean;
  /** The first step whose text never came, or null. */
  failedStep: number | null;
  ms: number;
}

export function runOnPty(run: PtyRun): Promise<PtyResult> {
  const started = performance.now();
  const request = JSON.stringify({
    argv: run.argv,
    env: run.env,
    cwd: run.cwd ?? run.env.HOME ?? process.cwd(),
    cols: run.cols ?? 80,
    steps: run.steps ?? [],
    timeout: (run.timeoutMs ?? 20_000) / 1000,
  });
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')));
    child.on('error', reject);
    child.on('close', () => {
      try {
        resolve({ ...(JSON.parse(out) as Omit<PtyResult, 'ms'>), ms: Math.round(performance.now() - started) });
      } catch {
        reject(new Error(`the pty driver failed: ${err || out}`));
      }
    });
    child.stdin.end(request);
  });
}

/** The pty's output as lines, without the carriage returns it adds. */
export function ptyLines(output: string): string[] {
  return output.replace(/\r\n/g, '\n').replace(/\r/g, '').split('\n');
}
