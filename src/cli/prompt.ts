/** Prompts for setup: the question on stderr (stdout may be read by a program), the answer from a terminal. */
import { CredsError } from '../errors.js';

export interface PromptIo {
  stdin: NodeJS.ReadableStream;
  stderr: (text: string) => void;
}

/** Ask one question; `hidden` does not echo what is typed. Resolves the line without its line break. */
export async function ask(io: PromptIo, question: string, hidden = false): Promise<string> {
  io.stderr(question);
  const stdin = io.stdin as NodeJS.ReadStream;
  const raw = hidden && typeof stdin.setRawMode === 'function';
  if (raw) stdin.setRawMode(true);
  stdin.setEncoding?.('utf8');
  stdin.resume();
  try {
    return await new Promise<string>((resolve, reject) => {
      let answer = '';
      const done = (fn: () => void) => {
        stdin.off('data', onData);
        stdin.off('end', onEnd);
        fn();
      };
      const onEnd = () => done(() => reject(new CredsError('usage', 'setup was cancelled (end of input)')));
      const onData = (chunk: string | Buffer) => {
        for (const ch of String(chunk)) {
          if (ch === '\r' || ch === '\n') {
            if (hidden) io.stderr('\n');
            return done(() => resolve(answer));
          }
          if (ch === '\u0003' || ch === '\u0004') {
            if (hidden) io.stderr('\n');
            return done(() => reject(new CredsError('usage', 'setup was cancelled')));
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
