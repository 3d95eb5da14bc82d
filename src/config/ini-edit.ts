/**
 * The AWS shared config file (~/.aws/config), edited: change one profile's section and keep every
 * other byte of the file as it was, invalid UTF-8 included. No I/O here; the parser is in
 * ini-parse.ts, the checks that refuse an ambiguous file in ini-agree.ts.
 *
 * The editor works on bytes (a Buffer in, a Buffer out; a string is taken as UTF-8 text and gives
 * a string back): the file is split into lines of bytes, each line decoded only to be read, and
 * edits replace, drop or insert whole lines; only the lines written are encoded.
 */
import { assertEditable, assertEditKept, type Doc, profileSections } from './ini-agree.js';
import { pyIndent, pyStrip } from './ini-headers.js';
import { type Entry, type IniSection, type Line, type LineBreak, profileSectionName, type ScannedSection, scan, splitLines, toIniSection } from './ini-parse.js';

import { assertProfileName, toUpdates, type Update } from './ini-write.js';

export { IniEditRefused, isIniEditRefused } from './ini-agree.js';
export { isValidProfileName } from './ini-write.js';

// ---------------------------------------------------------------------------------------------
// Bytes and lines (a "binary" string holds one character per byte)

const NOT_ASCII = /[\u0080-\uffff]/;

function toBinary(input: string | Uint8Array): string {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  return bytes.toString('latin1');
}

function fromBinary(input: string | Uint8Array, binary: string): string | Buffer {
  const bytes = Buffer.from(binary, 'latin1');
  return typeof input === 'string' ? bytes.toString('utf8') : bytes;
}

const decode = (raw: string): string => (!NOT_ASCII.test(raw) ? raw : Buffer.from(raw, 'latin1').toString('utf8'));
const encode = (text: string): string => (!NOT_ASCII.test(text) ? text : Buffer.from(text, 'utf8').toString('latin1'));

function readDoc(binary: string): Doc {
  const lines = splitLines(binary, decode);
  return { lines, scan: scan(lines) };
}

function joinLines(lines: readonly Line[]): string {
  return lines.map((l) => l.raw + l.eol).join('');
}

/** The file's line break: CRLF when its first line break is CRLF, else LF. */
export function detectLineBreak(text: string): '\n' | '\r\n' {
  const nl = text.indexOf('\n');
  return nl > 0 && text[nl - 1] === '\r' ? '\r\n' : '\n';
}

function isBlank(line: Line | undefined): boolean {
  return line !== undefined && pyStrip(line.text) === '';
}

function newLine(text: string, eol: LineBreak): Line {
  return { text, raw: encode(text), eol };
}

/** `key = value`, or `key =` for an empty value (no trailing white space). */
function settingLine(lead: string, key: string, value: string, eol: LineBreak): Line {
  return newLine(value === '' ? `${lead}${key} =` : `${lead}${key} = ${value}`, eol);
}

// ---------------------------------------------------------------------------------------------
// Editing

/** Replace lines [from, to) with `lines`; from === to inserts. */
interface Patch {
  from: number;
  to: number;
  lines: Line[];
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
 * new value, or undefined to delete that key. Throws IniEditRefused when the file is one that
 * botocore refuses or that botocore and the JS SDK read differently for this profile (see
 * ini-agree.ts), or when the profile has more than one section.
 *
 * A key the section has is rewritten in place (its continuation or sub-setting lines go with it),
 * a deleted key loses its lines, and new keys go after the section's last content line, ahead of
 * the blank lines and comments that lead into the next section. Keys not in `values` keep their
 * bytes. Without a section, one is appended at the end of the file (when there is anything to
 * write). Values are trimmed (readers trim them anyway).
 */
export function upsertProfile(text: string, profile: string, values: Record<string, string | undefined>): string;
export function upsertProfile(bytes: Uint8Array, profile: string, values: Record<string, string | undefined>): Buffer;
export function upsertProfile(input: string | Uint8Array, profile: string, values: Record<string, string | undefined>): string | Buffer {
  assertProfileName(profile);
  const updates = toUpdates(values);
  const binary = toBinary(input);
  const doc = readDoc(binary);
  assertEditable(doc, profile, true);
  const [target] = profileSections(doc.scan, profile);
  const out = target ? editSection(binary, doc, target, updates) : appendSection(binary, profile, updates);
  if (out !== binary) assertEditKept(doc, readDoc(out), profile, { section: expectedSection(target, profile, updates), updates });
  return fromBinary(input, out);
}

/** What the profile's section must read as after the edit. */
function expectedSection(target: ScannedSection | undefined, profile: string, updates: readonly Update[]): IniSection {
  const section = target ? toIniSection(target) : { name: profileSectionName(profile), settings: {}, subsections: {} };
  for (const { match, value } of updates) {
    delete section.subsections[match];
    if (value === undefined) delete section.settings[match];
    else section.settings[match] = value;
  }
  return section;
}

function editSection(binary: string, doc: Doc, target: ScannedSection, updates: readonly Update[]): string {
  const { lines } = doc;
  const eol = detectLineBreak(binary);
  const patches: Patch[] = [];
  const added: Line[] = [];
  const changes = updates.map((u) => ({ ...u, entry: target.entries.find((e) => e.key === u.match) })); // one at most: botocore refuses a repeated key
  const dropped = new Set(changes.flatMap(({ entry, value }) => (entry && value === undefined ? range(entry.first, entry.last) : [])));
  // From the last line up, so that each rewritten line knows the lead of the line after it.
  const leads = new Map<number, string>();
  for (const { entry, value } of [...changes].sort((a, b) => (b.entry?.first ?? -1) - (a.entry?.first ?? -1))) {
    if (entry && value !== undefined) leads.set(entry.first, leadAfter(doc, entry.last, dropped, leads));
  }
  for (const { key, value, entry } of changes) {
    if (value === undefined) {
      if (entry) patches.push(drop(entry));
    } else if (entry) {
      patches.push({ from: entry.first, to: entry.last + 1, lines: [settingLine(leads.get(entry.first) ?? '', key, value, eol)] });
    } else {
      added.push(settingLine(leadAfter(doc, target.lastContent, dropped, leads), key, value, eol));
    }
  }
  if (added.length > 0) patches.push({ from: target.lastContent + 1, to: target.lastContent + 1, lines: added });
  if (patches.length === 0) return binary;

  // Entries do not overlap and the insertion point follows them all, so applying the patches
  // from the end of the file keeps the indices of the others valid.
  const out = [...lines];
  for (const p of patches.sort((a, b) => b.from - a.from)) out.splice(p.from, p.to - p.from, ...p.lines);
  // Deleting the file's last lines would leave the blank lines before them at the end (and a
  // final line break the file did not have). They are in the edited section: its header stops us.
  if (patches.some((p) => p.to === lines.length && p.lines.length === 0)) {
    while (isBlank(out.at(-1))) out.pop();
  }
  return joinLines(fixLineBreaks(out, eol, binary.endsWith('\n')));
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

const drop = (e: Entry): Patch => ({ from: e.first, to: e.last + 1, lines: [] });

/**
 * The indentation for a key line written in place of the lines up to `after` (or inserted after
 * it): that of the next line that stays and is not blank or a comment (`leads`: the new lead of a
 * line rewritten too). configparser takes a line indented deeper than the last key line for a
 * continuation of it, so the next line must not be deeper than ours; and it is never deeper than
 * the key line it follows (else it would continue it), so our line does not continue that key
 * either. Unindented where the next line is: the JS SDK takes an indented line after an empty
 * `key =` for part of that key's block.
 */
function leadAfter(doc: Doc, after: number, dropped: ReadonlySet<number>, leads: ReadonlyMap<number, string>): string {
  for (let i = after + 1; i < doc.lines.length; i++) {
    const text = doc.lines[i]?.text ?? '';
    const stripped = pyStrip(text);
    if (dropped.has(i) || stripped === '' || stripped.startsWith('#') || stripped.startsWith(';')) continue;
    return leads.get(i) ?? text.slice(0, pyIndent(text));
  }
  return '';
}

/** A new section at the end: the original bytes stay an exact prefix of the result. */
function appendSection(binary: string, profile: string, updates: readonly Update[]): string {
  const eol = detectLineBreak(binary);
  const lines = updates.flatMap(({ key, value }) => (value === undefined ? [] : [settingLine('', key, value, eol)]));
  if (lines.length === 0) return binary;
  let out = binary;
  if (out !== '' && !out.endsWith('\n')) out += eol;
  if (out !== '' && !isBlank(splitLines(out, decode).at(-1))) out += eol; // one blank line between the file and the new section
  return out + joinLines([newLine(`[${profileSectionName(profile)}]`, eol), ...lines]);
}

/**
 * Remove a profile's whole section (every section naming it, so the profile is gone). Returns the
 * new text and whether a section was found. Throws IniEditRefused as upsertProfile does (a
 * profile with several sections loses them all).
 *
 * Removed: the header through the last content line; the blank lines right after it when the
 * section followed a blank line or started the file (so no double blank is left); and, for a
 * section with nothing but blank lines after it, the blank lines before it too. Comments before
 * the header (the previous section's trailing lines) stay. A file without a final line break
 * keeps having none.
 */
export function removeProfile(text: string, profile: string): { text: string; removed: boolean };
export function removeProfile(bytes: Uint8Array, profile: string): { text: Buffer; removed: boolean };
export function removeProfile(input: string | Uint8Array, profile: string): { text: string | Buffer; removed: boolean } {
  assertProfileName(profile);
  const binary = toBinary(input);
  const before = readDoc(binary);
  assertEditable(before, profile, false);
  // One section at a time, the last first: removing a later section can make an earlier one
  // the last of the file, which changes what goes with it.
  let out = binary;
  let doc = before;
  for (let section = profileSections(doc.scan, profile).at(-1); section; section = profileSections(doc.scan, profile).at(-1)) {
    out = removeSection(out, doc.lines, section);
    doc = readDoc(out);
  }
  if (out !== binary) assertEditKept(before, doc, profile, undefined);
  return { text: fromBinary(input, out), removed: out !== binary };
}

function removeSection(binary: string, lines: readonly Line[], section: ScannedSection): string {
  const [from, to] = removalRange(lines, section);
  const kept = [...lines.slice(0, from), ...lines.slice(to)];
  return joinLines(fixLineBreaks(kept, detectLineBreak(binary), binary.endsWith('\n')));
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
