/**
 * The AWS shared config file (~/.aws/config), edited: change one profile's section and keep every
 * other byte of the file as it was. No I/O here; the parser is in ini-parse.ts.
 *
 * Edits replace, drop or insert whole lines (see `Line` in ini-parse.ts).
 */

import {
  BOM,
  type Entry,
  type Line,
  type LineBreak,
  profileNameOfSection,
  profileSectionName,
  type ScannedSection,
  scan,
  splitLines,
} from './ini-parse.js';

// ---------------------------------------------------------------------------------------------
// Lines

function joinLines(lines: readonly Line[]): string {
  return lines.map((l) => l.text + l.eol).join('');
}

/** The file's line break: CRLF when its first line break is CRLF, else LF. */
export function detectLineBreak(text: string): '\n' | '\r\n' {
  const nl = text.indexOf('\n');
  return nl > 0 && text[nl - 1] === '\r' ? '\r\n' : '\n';
}

function isBlank(line: Line | undefined): boolean {
  return line !== undefined && line.text.trim() === ''; // trim() also removes a BOM
}

// ---------------------------------------------------------------------------------------------
// Checks on what we write

// White space, brackets, comment and `=` characters would change how the header reads; quotes
// and backslashes would be unquoted by botocore's shlex; control characters have no business here.
const BAD_PROFILE_CHAR = /[\s[\]#;="'\\\p{Cc}]/u;
const BAD_KEY_CHAR = /[\s[\]#;=\p{Cc}]/u;

/** Whether `name` can be written as a profile section header and read back as the same name. */
export function isValidProfileName(name: string): boolean {
  return name !== '' && !BAD_PROFILE_CHAR.test(name);
}

function assertProfileName(name: string): void {
  if (!isValidProfileName(name)) {
    throw new Error(
      `invalid profile name ${JSON.stringify(name)}: it must be non-empty, without white space, ` +
        'control characters, quotes, backslashes or any of [ ] # ; =',
    );
  }
}

interface Update {
  /** Lower-cased, to find the key in the file. */
  match: string;
  /** As the caller spelled it, for the line written. */
  key: string;
  /** Trimmed; undefined deletes the key. */
  value: string | undefined;
}

/** Check keys and values, one update per key (keys compared without case, the last one wins). */
function toUpdates(values: Record<string, string | undefined>): Update[] {
  const updates = new Map<string, Update>();
  for (const [key, value] of Object.entries(values)) {
    if (key === '' || BAD_KEY_CHAR.test(key)) {
      throw new Error(
        `invalid config key ${JSON.stringify(key)}: it must be non-empty, without white space, ` +
          'control characters or any of [ ] # ; =',
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
  // Written after `key = `, a `#` or `;` at the start or after white space reads as a comment.
  if (/(^|\s)[#;]/.test(value.trim())) {
    throw new Error(
      `the value for ${key} has a # or ; at its start or after white space, which readers take as a comment`,
    );
  }
}

/** `key = value`, or `key =` for an empty value (no trailing white space). */
function settingLine(lead: string, key: string, value: string, eol: LineBreak): Line {
  return { text: value === '' ? `${lead}${key} =` : `${lead}${key} = ${value}`, eol };
}

// ---------------------------------------------------------------------------------------------
// Editing

/** Replace lines [from, to) with `lines`; from === to inserts. */
interface Patch {
  from: number;
  to: number;
  lines: Line[];
}

function sectionsOf(lines: readonly Line[], profile: string): ScannedSection[] {
  return scan(lines).filter((s) => profileNameOfSection(s.name) === profile);
}

/**
 * Give the edited lines their line breaks: every line but the last ends with one (a line that
 * was last and is no longer gets the file's), and the last line ends with one exactly when the
 * original file did.
 */
function fixLineBreaks(lines: readonly Line[], eol: LineBreak, endsWithBreak: boolean): Line[] {
  return lines.map((line, i) => {
    if (i === lines.length - 1) return endsWithBreak || line.eol === '' ? line : { ...line, eol: '' };
    return line.eol === '' ? { ...line, eol } : line;
  });
}

/**
 * Replace-or-add settings in one profile's section, editing only that section. values: key ->
 * new value, or undefined to delete that key.
 *
 * The first section naming the profile is edited: a key it has is rewritten in place (its
 * continuation or sub-setting lines go with it), a deleted key loses its lines, and new keys go
 * after the section's last content line, ahead of the blank lines and comments that lead into
 * the next section. Keys not in `values` keep their bytes. Should a later section name the same
 * profile, the keys in `values` are also deleted there, since they would override the edit.
 * Without a section, one is appended at the end of the file (when there is anything to write).
 * Values are trimmed (readers trim them anyway).
 */
export function upsertProfile(text: string, profile: string, values: Record<string, string | undefined>): string {
  assertProfileName(profile);
  const updates = toUpdates(values);
  const lines = splitLines(text);
  const eol = detectLineBreak(text);
  const [target, ...later] = sectionsOf(lines, profile);
  if (!target) return appendSection(text, profile, updates, eol);

  const patches: Patch[] = [];
  const added: Line[] = [];
  const drop = (e: Entry): Patch => ({ from: e.first, to: e.last + 1, lines: [] });
  for (const update of updates) {
    const [first, ...rest] = target.entries.filter((e) => e.key === update.match);
    const { key, value } = update;
    if (value === undefined) {
      if (first) patches.push(drop(first));
    } else if (first) {
      // Same indentation, so the lines after it keep their meaning.
      patches.push({ from: first.first, to: first.last + 1, lines: [settingLine(first.lead, key, value, eol)] });
    } else {
      added.push(settingLine('', key, value, eol));
    }
    for (const e of rest) patches.push(drop(e));
    for (const s of later) for (const e of s.entries) if (e.key === update.match) patches.push(drop(e));
  }
  if (added.length > 0) patches.push({ from: target.lastContent + 1, to: target.lastContent + 1, lines: added });
  if (patches.length === 0) return text;

  // Entries do not overlap and the insertion point follows them all, so applying the patches
  // from the end of the file keeps the indices of the others valid.
  const out = [...lines];
  for (const p of patches.sort((a, b) => b.from - a.from)) out.splice(p.from, p.to - p.from, ...p.lines);
  // Deleting the file's last lines would leave the blank lines before them at the end (and a
  // final line break the file did not have). They are in the edited section: its header stops us.
  if (patches.some((p) => p.to === lines.length && p.lines.length === 0)) {
    while (isBlank(out.at(-1))) out.pop();
  }
  return joinLines(fixLineBreaks(out, eol, text.endsWith('\n')));
}

/** A new section at the end: the original text stays an exact prefix of the result. */
function appendSection(text: string, profile: string, updates: readonly Update[], eol: LineBreak): string {
  const lines = updates.flatMap(({ key, value }) => (value === undefined ? [] : [settingLine('', key, value, eol)]));
  if (lines.length === 0) return text;
  let out = text;
  if (out !== '' && !out.endsWith('\n')) out += eol;
  if (out !== '' && !isBlank(splitLines(out).at(-1))) out += eol; // one blank line between the file and the new section
  return out + joinLines([{ text: `[${profileSectionName(profile)}]`, eol }, ...lines]);
}

/**
 * Remove a profile's whole section (every section naming it, so the profile is gone). Returns the
 * new text and whether a section was found.
 *
 * Removed: the header through the last content line; the blank lines right after it when the
 * section followed a blank line or started the file (so no double blank is left); and, for a
 * section with nothing but blank lines after it, the blank lines before it too. Comments before
 * the header (the previous section's trailing lines) stay. A file without a final line break
 * keeps having none.
 */
export function removeProfile(text: string, profile: string): { text: string; removed: boolean } {
  assertProfileName(profile);
  // One section at a time, the last first: removing a later section can make an earlier one
  // the last of the file, which changes what goes with it.
  let out = text;
  let removed = false;
  for (;;) {
    const lines = splitLines(out);
    const section = sectionsOf(lines, profile).at(-1);
    if (!section) return { text: out, removed };
    out = removeSection(out, lines, section);
    removed = true;
  }
}

function removeSection(text: string, lines: readonly Line[], section: ScannedSection): string {
  const [from, to] = removalRange(lines, section);
  const kept = [...lines.slice(0, from), ...lines.slice(to)];
  const out = joinLines(fixLineBreaks(kept, detectLineBreak(text), text.endsWith('\n')));
  return text.startsWith(BOM) && !out.startsWith(BOM) ? BOM + out : out; // the BOM was on a removed line
}

function removalRange(lines: readonly Line[], section: ScannedSection): [number, number] {
  let from = section.header;
  let to = section.lastContent + 1;
  let next = to; // past the blank lines that follow
  while (isBlank(lines[next])) next++;
  const atEnd = next === lines.length;
  if (from === 0 || isBlank(lines[from - 1]) || atEnd) to = next;
  if (atEnd) while (isBlank(lines[from - 1])) from--;
  return [from, to];
}
