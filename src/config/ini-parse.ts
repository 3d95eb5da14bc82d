/**
 * The AWS shared config file (~/.aws/config), read: a pure parser with the semantics of botocore /
 * AWS CLI v2 and the JS SDK's `parseIni`. No I/O here; the editor is in ini-edit.ts.
 *
 * The file is handled as a list of lines, each with its own line break, so that joining the
 * lines gives back the exact text (which is what lets ini-edit.ts keep every other byte).
 */

/** Settings of one section: keys lower-cased, values trimmed. Indented sub-settings (e.g. `s3 =` followed by indented `max_concurrent_requests = 20`) are kept apart in `subsections`, never mixed into the section's own keys. */
export interface IniSection {
  /** The text between `[` and `]`, trimmed: "profile dev", "default", "sso-session my-sso", "services x". */
  name: string;
  settings: Record<string, string>;
  /** Sub-setting blocks by (lower-cased) key; the keys inside keep their case, as botocore does. */
  subsections: Record<string, Record<string, string>>;
}

type Settings = Record<string, string>;

/** A byte order mark: ignored at the start of the file, kept by the editor. */
export const BOM = '\uFEFF';

// ---------------------------------------------------------------------------------------------
// Lines

export type LineBreak = '' | '\n' | '\r\n';

export interface Line {
  /** The line without its line break (a leading BOM stays on the first line). */
  text: string;
  /** Empty only for the last line of a file that does not end with a line break. */
  eol: LineBreak;
}

export function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    if (nl === -1) {
      lines.push({ text: text.slice(start), eol: '' });
      break;
    }
    const crlf = nl > start && text[nl - 1] === '\r';
    lines.push({ text: text.slice(start, crlf ? nl - 1 : nl), eol: crlf ? '\r\n' : '\n' });
    start = nl + 1;
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------
// What one line is

type LineKind =
  | { kind: 'blank' }
  | { kind: 'comment' }
  | { kind: 'header'; name: string }
  /** Anything else: `code` is the line without inline comment, trimmed; `indent` its column. */
  | { kind: 'content'; code: string; indent: number };

/**
 * Cut an inline comment: a `#` or `;` at the start of the line or preceded by white space,
 * as the JS SDK does (`key = a#b` keeps `a#b`; `key = a # b` gives `a`).
 */
function stripInlineComment(text: string): string {
  const m = /(^|\s)[#;]/.exec(text);
  return m ? text.slice(0, m.index) : text;
}

function classify(rawText: string): LineKind {
  const text = rawText.startsWith(BOM) ? rawText.slice(1) : rawText;
  if (text.trim() === '') return { kind: 'blank' };
  const code = stripInlineComment(text).trim();
  if (code === '') return { kind: 'comment' };
  if (code.startsWith('[') && code.endsWith(']')) return { kind: 'header', name: code.slice(1, -1).trim() };
  return { kind: 'content', code, indent: text.search(/\S/) };
}

/** `key = value` split at the first `=`, both trimmed; undefined when there is no key. */
function splitSetting(code: string): { key: string; value: string } | undefined {
  const eq = code.indexOf('=');
  if (eq <= 0) return undefined; // `code` is trimmed, so eq > 0 means a non-empty key
  return { key: code.slice(0, eq).trim(), value: code.slice(eq + 1).trim() };
}

// ---------------------------------------------------------------------------------------------
// Sections, as line ranges (also what ini-edit.ts edits by)

/** One top-level key of a section, with the lines that belong to it. */
export interface Entry {
  /** Lower-cased. */
  key: string;
  /** Continuation lines joined with "\n"; '' for a sub-setting block. */
  value: string;
  /** Set when the key had an empty value followed by indented lines: its sub-settings. */
  sub: Settings | undefined;
  /** Index of the key line. */
  first: number;
  /** Index of the entry's last continuation / sub-setting line (the key line when none). */
  last: number;
  /** Column of the key: lines indented deeper belong to this entry. */
  indent: number;
  /** The key line's leading white space, reused when the line is rewritten. */
  lead: string;
}

export interface ScannedSection {
  name: string;
  header: number;
  /** Index of the last line that is not blank or a comment (the header when there is none). */
  lastContent: number;
  entries: Entry[];
}

/** A null-prototype record: keys such as `__proto__` in a file are plain keys. */
function record<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/**
 * Walk the lines once and find every section with its entries.
 *
 * A content line indented deeper than the current key belongs to that key (botocore's
 * configparser compares indentation the same way): a sub-setting if the key's value was empty,
 * else a continuation line. Blank and comment lines never end a key's block, as in botocore. A
 * header always starts a section, even if indented. Lines before the first header are ignored.
 */
export function scan(lines: readonly Line[]): ScannedSection[] {
  const sections: ScannedSection[] = [];
  let section: ScannedSection | undefined;
  let entry: Entry | undefined; // the key whose indented lines may follow

  lines.forEach((line, i) => {
    const kind = classify(line.text);
    if (kind.kind === 'header') {
      section = { name: kind.name, header: i, lastContent: i, entries: [] };
      sections.push(section);
      entry = undefined;
      return;
    }
    if (!section || kind.kind !== 'content') return;
    section.lastContent = i;
    if (entry && kind.indent > entry.indent) {
      extendEntry(entry, kind.code, i);
      return;
    }
    // Not indented under a key: a new key, or (without `=`) an ignored line that ends the key.
    const setting = splitSetting(kind.code);
    entry = setting && {
      key: setting.key.toLowerCase(),
      value: setting.value,
      sub: undefined,
      first: i,
      last: i,
      indent: kind.indent,
      lead: line.text.slice(0, kind.indent),
    };
    if (entry) section.entries.push(entry);
  });
  return sections;
}

function extendEntry(entry: Entry, code: string, index: number): void {
  entry.last = index;
  if (entry.sub === undefined && entry.value !== '') {
    entry.value += `\n${code}`; // continuation line, joined as botocore does
    return;
  }
  entry.sub ??= record<string>();
  const setting = splitSetting(code);
  if (setting) entry.sub[setting.key] = setting.value;
}

// ---------------------------------------------------------------------------------------------
// Parsing

/** All sections in file order; a section named twice gives two entries. Never throws. */
export function parseIni(text: string): IniSection[] {
  return scan(splitLines(text)).map(toIniSection);
}

function toIniSection(section: ScannedSection): IniSection {
  const settings = record<string>();
  const subsections = record<Settings>();
  // A later line for the same key wins, whether it is a value or a block.
  for (const e of section.entries) {
    if (e.sub) {
      delete settings[e.key];
      subsections[e.key] = Object.assign(subsections[e.key] ?? record<string>(), e.sub);
    } else {
      delete subsections[e.key];
      settings[e.key] = e.value;
    }
  }
  return { name: section.name, settings, subsections };
}

/** The section name that holds a profile: "default" for default, else "profile NAME". */
export function profileSectionName(profile: string): string {
  return profile === 'default' ? 'default' : `profile ${profile}`;
}

// `profile NAME`, with any white space between, and NAME optionally quoted (botocore splits the
// name with shlex; the JS SDK accepts quotes too). A bare NAME has no quotes or backslashes.
const PROFILE_SECTION = /^profile\s+(?:"([^"]+)"|'([^']+)'|([^\s"'\\]+))$/;

/**
 * The profile a section holds, or undefined: `default` and `profile NAME` (so `profile default`
 * is "default"). A bare `[NAME]` is not a profile in the config file, nor is `sso-session x` or
 * `services x`.
 */
export function profileNameOfSection(sectionName: string): string | undefined {
  if (sectionName === 'default') return 'default';
  const m = PROFILE_SECTION.exec(sectionName);
  return m ? (m[1] ?? m[2] ?? m[3]) : undefined;
}

/**
 * Profile name -> settings, as the AWS CLI resolves them. A profile named by several sections
 * (also `[default]` and `[profile default]`) gets their settings merged, later keys winning.
 */
export function profilesFromIni(text: string): Map<string, Record<string, string>> {
  const profiles = new Map<string, Settings>();
  for (const section of parseIni(text)) {
    const name = profileNameOfSection(section.name);
    if (name === undefined) continue;
    const merged = profiles.get(name) ?? record<string>();
    for (const key of Object.keys(section.subsections)) delete merged[key];
    profiles.set(name, Object.assign(merged, section.settings));
  }
  return profiles;
}
