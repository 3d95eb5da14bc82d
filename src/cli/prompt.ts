/** Prompts for setup: the question on stderr (stdout may be read by a program), the answer from a terminal. */
import { CredsError } from '../errors.js';

export interface PromptIo {
  stdin: NodeJS.ReadableStream;
  stderr: (text: string) => void;
  /** What Ctrl-C cancels, for the message: "setup" unless told. */
  task?: string;
}

/** Ctrl-C or Ctrl-D at any prompt, hidden or shown: one message, exit code 130. */
export function cancelled(task = 'setup', endOfInput = false): CredsError {
  return new CredsError(
    'cancelled',
    `${task} was cancelled${endOfInput ? ' (end of input)' : ''}`,
    task === 'setup' ? 'Nothing was saved; run setup again when you are ready.' : undefined,
  );
}

/** Ask one question; `hidden` does not echo what is typed. Resolves the line without its line break. */
export async function ask(io: PromptIo, question: string, hidden = false): Promise<string> {
  io.stderr(question);
  const stdin = io.stdin as NodeJS.ReadStream;
  const raw = hidden && typeof stdin.setRawMode === 'function';
  if (raw) stdin.setRawMode(true);
  stdin.setEncoding?.('utf8');
  stdin.resume();
  // A shown prompt leaves Ctrl-C to the terminal, which sends SIGINT: it ends the same way.
  let onSigint: (() => void) | undefined;
  try {
    return await new Promise<string>((resolve, reject) => {
      let answer = '';
      const done = (fn: () => void) => {
        stdin.off('data', onData);
        stdin.off('end', onEnd);
        if (onSigint) process.off('SIGINT', onSigint);
        fn();
      };
      const onEnd = () => done(() => reject(cancelled(io.task, true)));
      onSigint = () => {
        io.stderr('\n');
        done(() => reject(cancelled(io.task)));
      };
      process.on('SIGINT', onSigint);
      const onData = (chunk: string | Buffer) => {
        for (const ch of String(chunk)) {
          if (ch === '\r' || ch === '\n') {
            if (hidden) io.stderr('\n');
            return done(() => resolve(answer));
          }
          if (ch === '\u0003' || ch === '\u0004') {
            if (hidden) io.stderr('\n');
            return done(() => reject(cancelled(io.task)));
          }
          if (raw && (ch === '\u007f' || ch === '\b')) {
            answer = answer.slice(0, -1);
            continue;
          }
          answer += ch;
        }
      };
      stdin.on('data', onData);
      stdin.on('end', onEnd);
    });
  } finally {
    if (raw) stdin.setRawMode(false);
    stdin.pause();
  }
}

/** The first `count` lines of a non-interactive stdin (for --password-stdin), without line breaks. */
export async function readLines(stdin: NodeJS.ReadableStream, count: number): Promise<string[]> {
  // Bytes first, text at the end: a chunk may end in the middle of a UTF-8 character.
  const chunks: Buffer[] = [];
  let newlines = 0;
  for await (const chunk of stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk as Uint8Array);
    chunks.push(buffer);
    for (const byte of buffer) if (byte === 0x0a) newlines += 1;
    if (newlines >= count) break;
  }
  const parts = Buffer.concat(chunks).toString('utf8').split('\n');
  if (parts.at(-1) === '') parts.pop(); // a final line break ends the last line
  return parts.slice(0, count).map((line) => line.replace(/\r$/, ''));
}
