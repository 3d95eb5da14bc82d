/**
 * Whether one profile of the config file can be edited safely: botocore reads the file, and
 * botocore and the JS SDK agree on which lines are the profile's. Pure; used by ini-edit.ts.
 */
import { botocoreProfileOf, jsLine, type JsLine, jsProfiles } from './ini-headers.js';
import { type IniSection, type Line, type Scan, type ScannedSection, toIniSection } from './ini-parse.js';

/** The editor will not edit this file; the message says which line and why. */
export class IniEditRefused extends Error {
  override readonly name = 'IniEditRefused';
}

export function isIniEditRefused(err: unknown): err is IniEditRefused {
  return err instanceof Error && err.name === 'IniEditRefused';
}

/** The file's lines and botocore's reading of them. */
export interface Doc {
  lines: Line[];
  scan: Scan;
}

/** A line as a message shows it: quoted, control and invisible characters escaped, cut at 80. */
export function showLine(text: string): string {
  const cut = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  // Control, invisible and line-separator characters (no Unicode property classes: in the warm
  // path's bundle, they cost a millisecond to compile).
  // eslint-disable-next-line no-control-regex -- control characters are exactly what it escapes
  return JSON.stringify(cut).replace(/[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function at(doc: Doc, line: number): string {
  return `line ${line + 1} ${showLine(doc.lines[line]?.text ?? '')}`;
}

/** The botocore sections that hold `profile` (never `[DEFAULT]`). */
export function profileSections(scan: Scan, profile: string): ScannedSection[] {
  return scan.sections.filter((s) => s.name !== 'DEFAULT' && botocoreProfileOf(s.name) === profile);
}

/**
 * Throw IniEditRefused unless `profile` can be edited: no lone CR (a line break to botocore, not
 * to the JS SDK), nothing botocore refuses, no `[DEFAULT]` (botocore adds its keys to every
 * profile, the JS SDK ignores it), no header the JS SDK throws on, both readers taking the same
 * lines for the profile's, and with `single`, at most one section for it.
 */
export function assertEditable(doc: Doc, profile: string, single: boolean): void {
  const cr = doc.lines.findIndex((l) => l.eol === '\r');
  if (cr !== -1) refuse(`${at(doc, cr)} ends with a lone carriage return (CR): a line break to botocore, not to the JS SDK`);
  const [problem] = [...doc.scan.problems].sort((a, b) => a.line - b.line);
  if (problem) refuse(`${at(doc, problem.line)}: ${problem.message}, so botocore (the AWS CLI, boto3) refuses the whole file`);
  const js = doc.lines.map((l) => jsLine(l.text));
  for (const [line, index] of doc.scan.headers) {
    if (doc.scan.sections[index]?.name === 'DEFAULT') {
      refuse(`${at(doc, line)}: botocore adds the keys of a [DEFAULT] section to every profile, the JS SDK ignores it`);
    }
  }
  const fatal = js.findIndex((v) => v.header && v.fatal);
  if (fatal !== -1) refuse(`${at(doc, fatal)}: the JS SDK refuses this section name, and then reads no profile in the file`);
  const differs = firstDisagreement(doc, js, profile);
  if (differs !== undefined) {
    refuse(`${at(doc, differs)}: botocore reads ${botocoreView(doc, differs)}, the JS SDK ${jsView(js[differs])}`);
  }
  const sections = profileSections(doc.scan, profile);
  if (single && sections.length > 1) {
    const lines = sections.map((s) => at(doc, s.header));
    const both = lines.length === 2 ? 'both' : 'all';
    refuse(`${lines.join(' and ')} ${both} hold ${quoteProfile(profile)}, which botocore (the last one whole) and the JS SDK combine differently`);
  }
}

function refuse(message: string): never {
  throw new IniEditRefused(message);
}

const quoteProfile = (name: string) => `profile ${showLine(name)}`;

/**
 * The header line behind the first line that one reader takes for the profile's and the other
 * does not: the later of the two readers' last headers up to there, where they differ.
 */
function firstDisagreement(doc: Doc, js: readonly JsLine[], profile: string): number | undefined {
  let boto: { line: number; mine: boolean } | undefined;
  let jsHeader: { line: number; mine: boolean } | undefined;
  for (let i = 0; i < doc.lines.length; i++) {
    const section = doc.scan.headers.get(i);
    if (section !== undefined) {
      const name = doc.scan.sections[section]?.name ?? '';
      boto = { line: i, mine: name !== 'DEFAULT' && botocoreProfileOf(name) === profile };
    }
    const view = js[i];
    if (view?.header) jsHeader = { line: i, mine: view.profile === profile };
    if ((boto?.mine ?? false) !== (jsHeader?.mine ?? false)) return Math.max(boto?.line ?? -1, jsHeader?.line ?? -1);
  }
  return undefined;
}

function botocoreView(doc: Doc, line: number): string {
  const section = doc.scan.headers.get(line);
  if (section !== undefined) {
    const name = doc.scan.sections[section]?.name ?? '';
    const profile = botocoreProfileOf(name);
    return profile === undefined ? `the header of section ${showLine(name)}, which holds no profile` : `the header of ${quoteProfile(profile)}`;
  }
  const key = doc.scan.continues.get(line);
  return key === undefined ? 'no section header' : `part of the value on line ${key + 1}`;
}

function jsView(view: JsLine | undefined): string {
  if (!view?.header) return 'no section header';
  return view.profile === undefined ? 'a header that holds no profile' : `the header of ${quoteProfile(view.profile)}`;
}

// ---------------------------------------------------------------------------------------------
// After the edit

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}

function sameSettings(a: IniSection, b: IniSection): boolean {
  const subs = Object.keys(a.subsections);
  return (
    sameRecord(a.settings, b.settings) &&
    subs.length === Object.keys(b.subsections).length &&
    subs.every((k) => Object.hasOwn(b.subsections, k) && sameRecord(a.subsections[k] ?? {}, b.subsections[k] ?? {}))
  );
}

function others(scan: Scan, profile: string): IniSection[] {
  const mine = new Set(profileSections(scan, profile));
  return scan.sections.filter((s) => !mine.has(s)).map(toIniSection);
}

/** What an edit must leave: the section as botocore reads it, and the keys the JS SDK must see. */
export interface Expected {
  section: IniSection;
  updates: readonly { match: string; key: string; value: string | undefined }[];
}

/**
 * The safety net after an edit: the result must be editable as the file was, every other
 * section and every other profile read as before (by botocore and by the JS SDK), and the profile
 * read as `expected` (absent when undefined): by botocore whole, by the JS SDK for the keys
 * written. An indented line next to the edited lines is what can fail here.
 */
export function assertEditKept(before: Doc, after: Doc, profile: string, expected: Expected | undefined): void {
  const fail = () =>
    refuse(`editing ${quoteProfile(profile)} would change how botocore or the JS SDK reads the lines around it (indented lines); edit the file by hand`);
  try {
    assertEditable(after, profile, true);
  } catch {
    fail();
  }
  const was = others(before.scan, profile);
  const now = others(after.scan, profile);
  if (was.length !== now.length || was.some((s, i) => s.name !== now[i]?.name || !sameSettings(s, now[i] as IniSection))) fail();
  const mine = profileSections(after.scan, profile).map(toIniSection);
  if (expected === undefined ? mine.length !== 0 : mine.length !== 1 || !sameSettings(mine[0] as IniSection, expected.section)) fail();

  const jsWas = jsProfiles(before.lines.map((l) => l.text));
  const jsNow = jsProfiles(after.lines.map((l) => l.text));
  const jsMine = jsNow.get(profile);
  jsWas.delete(profile);
  jsNow.delete(profile);
  if (jsWas.size !== jsNow.size || [...jsWas].some(([name, settings]) => !sameRecord(settings, jsNow.get(name) ?? {}))) fail();
  if (expected === undefined ? jsMine !== undefined : !jsReads(jsMine ?? {}, expected.updates)) fail();
}

/**
 * Whether the JS SDK's settings of the profile hold each value written and none deleted (an empty
 * value it never holds: `key =` opens a block for it).
 */
function jsReads(settings: Record<string, string>, updates: Expected['updates']): boolean {
  const gone = (match: string) => Object.keys(settings).every((k) => k.toLowerCase() !== match && !k.toLowerCase().startsWith(`${match}.`));
  return updates.every(({ match, key, value }) => (value === undefined ? gone(match) : value === '' || settings[key] === value));
}
