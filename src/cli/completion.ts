/** Shell completion helpers: the profile names of the config file (never a secret). */
import { readFileSync } from 'node:fs';
import { profilesFromIni } from '../config/ini-parse.js';
import { configFilePath } from '../config/paths.js';
import type { Io } from './io.js';

/** Synchronous: yargs's completion callback must answer before its validation runs. */
export function profileNames(io: Io): string[] {
  let text = '';
  try {
    text = readFileSync(configFilePath(io.env, io.home), 'utf8');
  } catch {
    return [];
  }
  return [...profilesFromIni(text).keys()].sort();
}
