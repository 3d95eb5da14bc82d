/**
 * What the config editor may write: profile names, keys and values that botocore and the JS SDK
 * both read back as written. Pure; used by ini-edit.ts.
 */
import { jsReadsProfileName } from './ini-headers.js';

// Keys: white space, brackets, comment characters and the delimiters `=` and `:` would change how
// the line reads.
const BAD_KEY_CHAR = /[\s[\]#;=:\p{Cc}]/u;

/**
 * Whether `name` can be written as a profile section header that botocore and the JS SDK both
 * read back as the same name: letters, digits and `_ - . @ + % : /` (what the JS SDK accepts).
 */
export function isValidProfileName(name: string): boolean {
  return jsReadsProfileName(name) && name !== '__proto__';
}

export function assertProfileName(name: string): void {
  if (!isValidProfileName(name)) {
    throw new Error(`invalid profile name ${JSON.stringify(name)}: use only letters, digits and _ - . @ + % : / (what botocore and the JS SDK both read as a profile name)`);
  }
}

export interface Update {
  /** Lower-cased, to find the key in the file. */
  match: string;
  /** As the caller spelled it, for the line written. */
  key: string;
  /** Trimmed; undefined deletes the key. */
  value: string | undefined;
}

/** Check keys and values, one update per key (keys compared without case, the last one wins). */
export function toUpdates(values: Record<string, string | undefined>): Update[] {
  const updates = new Map<string, Update>();
  for (const [key, value] of Object.entries(values)) {
    if (key === '' || BAD_KEY_CHAR.test(key)) {
      throw new Error(
        `invalid config key ${JSON.stringify(key)}: it must be non-empty, without white space, ` +
          'control characters or any of [ ] # ; = :',
      );
    }
    if (value !== undefined) checkValue(key, value);
    const match = key.toLowerCase();
    updates.delete(match); // keep the order of the last spelling
    updates.set(match, { match, key, value: value?.trim() });
  }
  return [...updates.values()];
}

function checkValue(key: string, value: string): void {
  // A line break would let a value inject more settings or sections.
  if (/[\r\n]/.test(value)) {
    throw new Error(`the value for ${key} contains a line break, which the config file cannot hold`);
  }
  if (/(?!\t)\p{Cc}/u.test(value)) {
    throw new Error(`the value for ${key} contains a control character, which the config file cannot hold`);
  }
  // Written after `key = `, a `#` or `;` at the start or after white space reads as a comment.
  if (/(^|\s)[#;]/.test(value.trim())) {
    throw new Error(
      `the value for ${key} has a # or ; at its start or after white space, which readers take as a comment`,
    );
  }
}
