/**
 * Questions during a sign-in (an MFA code) go to the controlling terminal, /dev/tty, never to
 * stdout (which botocore reads) nor stdin (which may be a pipe): credential-process usually runs
 * under the AWS CLI with both redirected, yet the person is still at the terminal.
 */
import { openSync } from 'node:fs';
import tty from 'node:tty';
import { ask } from './prompt.js';

/** Ask on /dev/tty; undefined when this process has no terminal (or on Windows). */
export async function askOnTerminal(question: string, hidden = false, task = 'the sign-in'): Promise<string | undefined> {
  if (process.platform === 'win32') return undefined;
  let readFd: number;
  let writeFd: number;
  try {
    readFd = openSync('/dev/tty', 'r');
    writeFd = openSync('/dev/tty', 'w');
  } catch {
    return undefined; // ENXIO: no controlling terminal
  }
  const input = new tty.ReadStream(readFd);
  const output = new tty.WriteStream(writeFd);
  try {
    return await ask({ stdin: input, stderr: (t) => output.write(t), task }, question, hidden);
  } finally {
    input.destroy();
    output.destroy();
  }
}
