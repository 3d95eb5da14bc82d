/**
 * Section headers of the AWS config file as each of its two main readers takes them. Pure.
 *
 * botocore (the AWS CLI, boto3) reads the file with Python's configparser: a header is a
 * stripped line `[` … `]` up to the LAST `]` (text after it is ignored); build_profile_map then
 * splits a name that starts with `profile` by shlex and takes the second of exactly two words.
 * The JS SDK (@smithy/core's parseIni, loadSharedConfigFiles) cuts an inline comment, wants
 * the trimmed line to end with `]`, and takes `PREFIX NAME` with exactly one white space
 * character and NAME made of `[A-Za-z0-9_@+.%:/-]`. docs/configuration.md has the table of
 * forms; test/e2e/ini-headers.e2e.test.ts checks it against both real readers.
 */

/** Whether Python's str.isspace() is true for this UTF-16 unit (str.strip() and re's \s): not quite JS's \s. */
function isPySpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c >= 0x1c;
  if (c < 0x85) return false;
  return (
    c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000
  );
}

/** Python's `s.strip()`. */
export function pyStrip(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isPySpace(s.charCodeAt(start))) start++;
  while (end > start && isPySpace(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/** Python's `s.rstrip()`. */
export function pyRstrip(s: string): string {
  let end = s.length;
  while (end > 0 && isPySpace(s.charCodeAt(end - 1))) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** The column of the first character that is not white space to Python (configparser's indent). */
export function pyIndent(s: string): number {
  let i = 0;
  while (i < s.length && isPySpace(s.charCodeAt(i))) i++;
  return i === s.length ? 0 : i;
}

/** configparser's SECTCRE (`\[(?P<header>.+)\]`, greedy) on a stripped line: the header, or undefined. */
export function botocoreHeader(stripped: string): string | undefined {
  if (!stripped.startsWith('[')) return undefined;
  const close = stripped.lastIndexOf(']');
  return close > 1 ? stripped.slice(1, close) : undefined;
}

/** Python's `shlex.split(s)` (POSIX mode, no comments); undefined where it raises ValueError. */
export function shlexSplit(s: string): string[] | undefined {
  const words: string[] = [];
  let word: string | undefined; // undefined between words; '' for an empty quoted word
  let quote: '' | "'" | '"' = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (quote === "'") {
      if (c === "'") quote = '';
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = '';
      else if (c === '\\' && i + 1 < s.length) {
        const next = s[++i] as string;
        word += next === '"' || next === '\\' ? next : c + next;
      } else if (c === '\\') return undefined;
      else word += c;
    } else if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "'" || c === '"') {
      word ??= '';
      quote = c;
    } else if (c === '\\') {
      if (i + 1 >= s.length) return undefined; // "No escaped character"
      word = (word ?? '') + s[++i];
    } else {
      word = (word ?? '') + c;
    }
  }
  if (quote !== '') return undefined; // "No closing quotation"
  if (word !== undefined) words.push(word);
  return words;
}

/** The kinds of section build_profile_map sorts out, each by the start of the section name. */
export type SectionKind = 'profile' | 'sso-session' | 'services';

/**
 * What botocore's build_profile_map makes of a section name: `default` is the default profile; a
 * name starting with `profile` (then `sso-session`, `services`), split by shlex into exactly two
 * words, names the second; anything else is no profile. `[profiles dev]` is profile "dev" too.
 */
export function botocoreSectionTarget(section: string): { kind: SectionKind; name: string } | undefined {
  if (section === 'default') return { kind: 'profile', name: 'default' };
  const kind = (['profile', 'sso-session', 'services'] as const).find((k) => section.startsWith(k));
  if (!kind) return undefined;
  const words = shlexSplit(section);
  return words?.length === 2 ? { kind, name: words[1] as string } : undefined;
}

/** The profile a botocore section name holds, or undefined. */
export function botocoreProfileOf(section: string): string | undefined {
  const target = botocoreSectionTarget(section);
  return target?.kind === 'profile' ? target.name : undefined;
}

// ---------------------------------------------------------------------------------------------
// The JS SDK

/** One line as the JS SDK's parseIni reads it. */
export type JsLine =
  | { header: false }
  /** `profile`: the profile it holds, if any; `fatal`: parseIni throws, so the SDK reads no profile from the file. */
  | { header: true; profile: string | undefined; fatal: boolean };

const JS_PREFIXED = /^([\w-]+)\s(["'])?([\w@+.%:/-]+)\2$/;
const JS_TYPES = ['profile', 'sso-session', 'services'];

/** What the JS SDK makes of one line (it splits the file at LF and CRLF only). */
export function jsLine(line: string): JsLine {
  const trimmed = (line.split(/(^|\s)[;#]/)[0] ?? '').trim();
  if (!(trimmed.startsWith('[') && trimmed.endsWith(']') && trimmed.length >= 2)) return { header: false };
  const name = trimmed.slice(1, -1);
  const m = JS_PREFIXED.exec(name);
  // The key it files the section under: `profile.NAME` for a prefixed one, else the name itself.
  const key = m ? (JS_TYPES.includes(m[1] as string) ? `${m[1]}.${m[3]}` : undefined) : name;
  const profile = key === 'default' ? 'default' : key?.startsWith('profile.') ? key.slice('profile.'.length) : undefined;
  return { header: true, profile, fatal: name === '__proto__' || name === 'profile __proto__' };
}

/** Whether the JS SDK reads `[profile NAME]` (or `[default]`) back as NAME. */
export function jsReadsProfileName(name: string): boolean {
  return /^[\w@+.%:/-]+$/.test(name);
}

/**
 * The profiles the JS SDK reads from these lines (parseIni, then getConfigData): keys as written,
 * a key with an empty value opening a block whose indented `k = v` lines become `block.k`, and
 * `[profile default]` taking the place of `[default]`. For lines split at LF and CRLF only.
 */
export function jsProfiles(lines: readonly string[]): Map<string, Record<string, string>> {
  // By the SDK's own key: `profile.NAME` for [profile NAME], `default` for [default].
  const map = new Map<string, Record<string, string>>();
  let section: string | undefined;
  let block: string | undefined;
  for (const line of lines) {
    const view = jsLine(line);
    if (view.header) {
      section = view.profile === undefined ? undefined : isPlainDefault(line) ? 'default' : `profile.${view.profile}`;
      block = undefined;
      continue;
    }
    const trimmed = (line.split(/(^|\s)[;#]/)[0] ?? '').trim();
    const eq = trimmed.indexOf('=');
    if (section === undefined || eq <= 0) continue;
    const [key, value] = [trimmed.slice(0, eq).trim(), trimmed.slice(eq + 1).trim()];
    if (value === '') {
      block = key;
      continue;
    }
    if (block !== undefined && line.trimStart() === line) block = undefined;
    const settings = map.get(section) ?? (Object.create(null) as Record<string, string>);
    settings[block === undefined ? key : `${block}.${key}`] = value;
    map.set(section, settings);
  }
  const profiles = new Map<string, Record<string, string>>();
  const plain = map.get('default');
  if (plain) profiles.set('default', plain);
  for (const [key, settings] of map) if (key.startsWith('profile.')) profiles.set(key.slice('profile.'.length), settings);
  return profiles;
}

/** Whether a header line the JS SDK reads as the default profile is `[default]` (not `[profile default]`). */
function isPlainDefault(line: string): boolean {
  return (line.split(/(^|\s)[;#]/)[0] ?? '').trim() === '[default]';
}
