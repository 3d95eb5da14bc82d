/**
 * The AWS shared config file (~/.aws/config), read: a pure parser that follows botocore (the AWS
 * CLI, boto3) line for line: Python's configparser in its default (strict) mode, then botocore's
 * build_profile_map. No I/O here; the editor is in ini-edit.ts, header forms in ini-headers.ts.
 *
 * The file is a list of lines, each with its own line break (LF, CRLF or a lone CR: Python's
 * universal newlines), so that joining them gives back the exact bytes (ini-edit.ts edits by line).
 * What configparser would refuse (a repeated section or key, a line before any header, a line
 * that is no setting) is reported as a problem instead: the editor refuses such a file, readers
 * go on as configparser's non-strict mode would. Values lose an inline comment (` # …` after white
 * space) as the JS SDK does; botocore keeps it, but reads none of cognito-creds' own keys.
 */
import { botocoreHeader, botocoreSectionTarget, type SectionKind, pyIndent, pyRstrip, pyStrip } from './ini-headers.js';

/** Settings of one section: keys lower-cased, values trimmed. Indented sub-settings (e.g. `s3 =` followed by indented `max_concurrent_requests = 20`) are kept apart in `subsections`, never mixed into the section's own keys. */
export interface IniSection {
  /** The text between `[` and the last `]`, as botocore takes it: "profile dev", "default", " x ". */
  name: string;
  settings: Record<string, string>;
  /** Sub-setting blocks by (lower-cased) key; the keys inside keep their case, as botocore does. */
  subsections: Record<string, Record<string, string>>;
}

type Settings = Record<string, string>;

/** A byte order mark: botocore refuses a file that starts with one. */
export const BOM = '\uFEFF';

// ---------------------------------------------------------------------------------------------
// Lines

export type LineBreak = '' | '\n' | '\r\n' | '\r';

export interface Line {
  /** The line without its line break, as text (for the editor: decoded from UTF-8). */
  text: string;
  /** The line's bytes, one character per byte, for the editor; the text itself for readers. */
  raw: string;
  /** Empty only for the last line of a file that does not end with a line break. */
  eol: LineBreak;
}

/** Split at LF, CRLF and lone CR. `decode` turns a line's raw characters into its text. */
export function splitLines(text: string, decode: (raw: string) => string = (raw) => raw): Line[] {
  const lines: Line[] = [];
  const breaks = /\r\n|\r|\n/g;
  let start = 0;
  for (let m = breaks.exec(text); m; m = breaks.exec(text)) {
    const raw = text.slice(start, m.index);
    lines.push({ text: decode(raw), raw, eol: m[0] as LineBreak });
    start = m.index + m[0].length;
  }
  if (start < text.length) lines.push({ text: decode(text.slice(start)), raw: text.slice(start), eol: '' });
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Scanning, as configparser does

/** One key of a section, with the lines that belong to it. */
export interface Entry {
  /** Lower-cased (configparser's optionxform). */
  key: string;
  /** The value, continuation lines joined with "\n" (blank lines in between kept as empty lines). */
  value: string;
  /** Set when the key had an empty value followed by indented lines: its sub-settings. */
  sub: Settings | undefined;
  /** Index of the key line. */
  first: number;
  /** Index of the entry's last continuation line (the key line when none). */
  last: number;
}

export interface ScannedSection {
  name: string;
  header: number;
  /** Index of the last line that is not blank or a comment (the header when there is none). */
  lastContent: number;
  entries: Entry[];
}

/** Something that makes configparser, so botocore, refuse the whole file. */
export interface Problem {
  /** Index of the line. */
  line: number;
  message: string;
  inDefault?: boolean;
}

export interface Scan {
  sections: ScannedSection[];
  problems: Problem[];
  /** Line index → the section index of each header line (what botocore takes for a header). */
  headers: Map<number, number>;
  /** Line index → the key line of the entry it continues. */
  continues: Map<number, number>;
}

/** A null-prototype record: keys such as `__proto__` in a file are plain keys. */
function record<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** The value parts of an entry while scanning: configparser's list of lines. */
interface Open {
  entry: Entry;
  /** The section's name: a block of [DEFAULT] is only parsed as part of another section. */
  section: string;
  /** The value after the `=`, then each continuation line (blank lines as ''), with its line. */
  parts: { text: string; line: number }[];
}

/**
 * Walk the lines once, as configparser's _read does. A line indented deeper than the last key
 * or header line continues the last key (even one that looks like a header); blank lines and
 * comments (`#` or `;` first) never end a value.
 */
export function scan(lines: readonly Line[]): Scan {
  const out: Scan = { sections: [], problems: [], headers: new Map(), continues: new Map() };
  const seen = new Map<string, number>(); // section name or name + key → its first line
  let section: ScannedSection | undefined;
  let open: Open | undefined; // configparser's optname: the key that lines may continue
  let indent = 0; // configparser's indent_level
  const problem = (line: number, message: string) => out.problems.push({ line, message });
  if (lines[0]?.text.startsWith(BOM)) problem(0, 'it starts with a byte order mark (BOM)');

  lines.forEach((line, i) => {
    const text = i === 0 && line.text.startsWith(BOM) ? line.text.slice(1) : line.text;
    const stripped = pyStrip(text);
    if (stripped === '') {
      open?.parts.push({ text: '', line: i });
      return;
    }
    if (stripped.startsWith('#') || stripped.startsWith(';')) return;
    const column = pyIndent(text);
    if (section && open && column > indent) {
      open.parts.push({ text: stripped, line: i });
      open.entry.last = i;
      section.lastContent = i;
      out.continues.set(i, open.entry.first);
      return;
    }
    indent = column;
    const name = botocoreHeader(stripped);
    if (name !== undefined) {
      const again = seen.get(name);
      if (again !== undefined && name !== 'DEFAULT') problem(i, `it repeats the section [${name}] of line ${again + 1}`);
      if (again === undefined) seen.set(name, i);
      out.headers.set(i, out.sections.length);
      section = { name, header: i, lastContent: i, entries: [] };
      out.sections.push(section);
      open = closeEntry(open, out);
      return;
    }
    if (!section) return problem(i, 'it comes before any [section] header');
    section.lastContent = i;
    const delimiter = stripped.search(/[=:]/);
    if (delimiter === -1) return problem(i, 'it is neither a setting (key = value), a comment nor a [section] header');
    const key = pyRstrip(stripped.slice(0, delimiter)).toLowerCase();
    if (key === '') {
      open = closeEntry(open, out); // configparser goes on with an empty key, which nothing continues
      return problem(i, 'it is a setting without a key');
    }
    const id = `${section.name}\u0000${key}`;
    const first = seen.get(id);
    if (first !== undefined) problem(i, `it sets ${key} again in [${section.name}] (first on line ${first + 1})`);
    else seen.set(id, i);
    closeEntry(open, out);
    const entry: Entry = { key, value: '', sub: undefined, first: i, last: i };
    section.entries.push(entry);
    open = { entry, section: section.name, parts: [{ text: pyStrip(stripped.slice(delimiter + 1)), line: i }] };
  });
  closeEntry(open, out);
  // botocore parses the blocks of [DEFAULT] for each other section: with none, they never fail.
  if (!out.sections.some((s) => s.name !== 'DEFAULT')) out.problems = out.problems.filter((p) => !p.inDefault);
  return out;
}

/** Cut an inline comment: a `#` or `;` at the start or after white space (`a#b` stays). */
function stripInlineComment(text: string): string {
  const m = /(^|\s)[#;]/.exec(text);
  return m ? text.slice(0, m.index).trim() : text;
}

/**
 * Join a finished entry's parts as configparser does ("\n".join, then rstrip); a value that then
 * starts with a line break is a block of sub-settings (botocore's _parse_nested).
 */
function closeEntry(open: Open | undefined, out: Scan): undefined {
  if (!open) return undefined;
  const { entry, parts } = open;
  const joined = pyRstrip(parts.map((p) => p.text).join('\n'));
  if (!joined.startsWith('\n')) {
    entry.value = joined.includes('\n') ? joined.split('\n').map(stripInlineComment).join('\n') : stripInlineComment(joined);
    return undefined;
  }
  entry.sub = record<string>();
  for (const { text, line } of parts) {
    // Python's str.splitlines() also splits at these; each piece must hold an `=`.
    // eslint-disable-next-line no-control-regex -- exactly the characters Python splits at
    for (const piece of text.split(/[\v\f\x1c-\x1e\x85\u2028\u2029]/)) {
      const bit = pyStrip(piece);
      if (bit === '') continue;
      const eq = bit.indexOf('=');
      if (eq === -1) {
        out.problems.push({ line, message: `it is in the sub-settings of ${entry.key} but has no =`, inDefault: open.section === 'DEFAULT' });
        continue;
      }
      entry.sub[pyStrip(bit.slice(0, eq))] = stripInlineComment(pyStrip(bit.slice(eq + 1)));
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Parsing

/** Every section in file order (a section named twice gives two), `[DEFAULT]` included. Never throws. */
export function parseIni(text: string): IniSection[] {
  return scan(splitLines(text)).sections.map(toIniSection);
}

export function toIniSection(section: ScannedSection): IniSection {
  const settings = record<string>();
  const subsections = record<Settings>();
  // A later line for the same key wins, whether it is a value or a block.
  for (const e of section.entries) {
    if (e.sub) {
      delete settings[e.key];
      subsections[e.key] = Object.assign(record<string>(), e.sub);
    } else {
      delete subsections[e.key];
      settings[e.key] = e.value;
    }
  }
  return { name: section.name, settings, subsections };
}

/**
 * The sections of one kind by name, as botocore's build_profile_map builds them: sections of the
 * same exact name merge (configparser), `[DEFAULT]`'s keys go under every section's, and of the
 * sections that name the same thing (`[default]` and `[profile default]`, `[profile a]` and
 * `[profile "a"]`) the last one wins whole.
 */
export function sectionsOf(text: string, kind: SectionKind): Map<string, IniSection> {
  const sections = parseIni(text);
  const byName = new Map<string, IniSection>();
  for (const s of sections) {
    const had = byName.get(s.name);
    byName.set(s.name, had ? merge(had, s) : s);
  }
  const defaults = byName.get('DEFAULT');
  byName.delete('DEFAULT');
  const found = new Map<string, IniSection>();
  for (const s of byName.values()) {
    const target = botocoreSectionTarget(s.name);
    if (target?.kind === kind) found.set(target.name, defaults ? merge(defaults, s) : s);
  }
  return found;
}

function merge(under: IniSection, over: IniSection): IniSection {
  const out: IniSection = { name: over.name, settings: Object.assign(record<string>(), under.settings), subsections: Object.assign(record<Settings>(), under.subsections) };
  for (const key of Object.keys(over.settings)) delete out.subsections[key];
  for (const key of Object.keys(over.subsections)) delete out.settings[key];
  Object.assign(out.settings, over.settings);
  Object.assign(out.subsections, over.subsections);
  return out;
}

/** The section name that holds a profile: "default" for default, else "profile NAME". */
export function profileSectionName(profile: string): string {
  return profile === 'default' ? 'default' : `profile ${profile}`;
}

/** Profile name -> settings, as botocore resolves them (see sectionsOf). */
export function profilesFromIni(text: string): Map<string, Record<string, string>> {
  const profiles = new Map<string, Settings>();
  for (const [name, section] of sectionsOf(text, 'profile')) profiles.set(name, section.settings);
  return profiles;
}
