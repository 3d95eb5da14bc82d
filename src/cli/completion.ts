/** Shell completion helpers: the profile names of the config file (never a secret). */
import { readConfigBytes } from '../config/config-file.js';
import { profilesFromIni } from '../config/ini-parse.js';
import { configFilePath } from '../config/paths.js';
import type { Io } from './io.js';

/**
 * Synchronous: yargs's completion callback must answer before its validation runs. A config path
 * that is no regular file (a FIFO would block) or cannot be read gives no names.
 */
export function profileNames(io: Io): string[] {
  let text = '';
  try {
    text = readConfigBytes(configFilePath(io.env, io.home))?.toString('utf8') ?? '';
  } catch {
    return [];
  }
  return [...profilesFromIni(text).keys()].sort();
}
