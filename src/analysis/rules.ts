// The pass/fail rules of `dive --ci`, read from a .dive-ci.yml file, and their evaluation.
//
// dive's own format is a mapping under `rules:` with three keys; a key left out keeps dive's default, and the
// value `disabled` turns a rule off. A rule fails only when strictly past its threshold, as in dive.
//   rules:
//     lowestEfficiency: 0.95          # fail when efficiency < 0.95        (default 0.9)
//     highestWastedBytes: 20MB        # fail when wasted bytes > 20 MB     (default disabled)
//     highestUserWastedPercent: 0.1   # fail when wasted / user bytes > 0.1 (default 0.1)
// The course shows another form, a list of `- name: … value: … fatal: …`. dive cannot read it (it would silently
// apply its defaults). tp7 accepts it as an alias and says so: `efficiency` stands for lowestEfficiency, and
// `size` for a maximum image size, a rule dive does not have; `fatal: false` turns a failure into a warning.
import { yaml } from '../yaml.js';
import { both, type Localized } from '../lab/text.js';
import { humanBytes, parseByteSize, percent } from './bytes.js';

export const RULE_KEYS = ['lowestEfficiency', 'highestWastedBytes', 'highestUserWastedPercent', 'highestImageSize'] as const;
export type RuleKey = (typeof RULE_KEYS)[number];

const DIVE_KEYS: readonly RuleKey[] = ['lowestEfficiency', 'highestWastedBytes', 'highestUserWastedPercent'];
const DEFAULTS: Record<string, string> = { lowestEfficiency: '0.9', highestWastedBytes: 'disabled', highestUserWastedPercent: '0.1' };
const COURSE_NAMES: Record<string, RuleKey> = { efficiency: 'lowestEfficiency', size: 'highestImageSize' };

export interface RuleSetting {
  key: RuleKey;
  /** The value as written (or dive's default), e.g. "0.95", "20MB", "disabled". */
  value: string;
  /** Parsed threshold; undefined when the rule is disabled. */
  threshold?: number;
  /** A failing non-fatal rule is a warning (course form with `fatal: false`). */
  fatal: boolean;
}

export interface CiRules {
  /** Where the rules come from: a file path, or "defaults". */
  source: string;
  form: 'dive' | 'course-list' | 'defaults';
  settings: RuleSetting[];
  notes: Localized[];
}

export type RuleStatus = 'pass' | 'fail' | 'warn' | 'disabled';

export interface RuleResult {
  key: RuleKey;
  value: string;
  status: RuleStatus;
  /** The measured figure the rule looked at. */
  actual: number;
  message: Localized;
}

export interface Figures {
  efficiency: number;
  wastedBytes: number;
  userWastedPercent: number;
  imageSize: number;
}

/** A .dive-ci.yml that cannot be used: the message names the key and the value at fault, in both languages. */
export class CiConfigError extends Error {
  constructor(readonly text: Localized) {
    super(text.en);
    this.name = 'CiConfigError';
  }
}

function setting(key: RuleKey, raw: unknown, fatal: boolean, where: string): RuleSetting {
  const value = String(raw ?? '').trim();
  if (value === 'disabled') return { key, value, fatal };
  const bytes = key === 'highestWastedBytes' || key === 'highestImageSize';
  const threshold = bytes ? parseByteSize(value) : value === '' ? Number.NaN : Number(value);
  if (threshold === undefined || Number.isNaN(threshold)) {
    throw new CiConfigError(bytes
      ? both(`${where} : « ${value} » n'est pas une taille comme 20MB`, `${where}: "${value}" is not a size such as 20MB`)
      : both(`${where} : « ${value} » n'est pas un nombre comme 0.9`, `${where}: "${value}" is not a number such as 0.9`));
  }
  // dive refuses ratios outside 0-1 ("misconfigured") rather than guessing a percentage was meant.
  if (!bytes && (threshold < 0 || threshold > 1)) {
    throw new CiConfigError(both(`${where} : « ${value} » sort de 0-1 (un ratio : 0.1 veut dire 10 %)`, `${where}: "${value}" is outside 0-1 (a ratio: 0.1 means 10 %)`));
  }
  return { key, value, threshold, fatal };
}

export function defaultRules(): CiRules {
  return { source: 'defaults', form: 'defaults', settings: DIVE_KEYS.map((key) => setting(key, DEFAULTS[key], true, key)), notes: [] };
}

/** dive reads its rules through viper, whose keys ignore case: `LowestEfficiency` and `lowestefficiency` both count. */
function byLowerCaseKey(mapping: Record<string, unknown>): Map<string, { key: string; value: unknown }> {
  return new Map(Object.entries(mapping).map(([key, value]) => [key.toLowerCase(), { key, value }]));
}

function fromDiveMapping(rules: Record<string, unknown>, source: string): CiRules {
  const notes: Localized[] = [];
  const written = byLowerCaseKey(rules);
  const known = new Set(DIVE_KEYS.map((key) => key.toLowerCase()));
  for (const key of Object.keys(rules).filter((name) => !known.has(name.toLowerCase()))) {
    notes.push(both(`règle inconnue rules.${key} ignorée (dive l'ignore aussi)`, `unknown rule rules.${key} ignored (dive ignores it too)`));
  }
  const settings = DIVE_KEYS.map((key) => {
    const found = written.get(key.toLowerCase());
    return setting(key, found ? found.value : DEFAULTS[key], true, `${source}: rules.${found?.key ?? key}`);
  });
  return { source, form: 'dive', settings, notes };
}

function fromCourseList(items: unknown[], source: string): CiRules {
  const settings = items.map((item, index) => {
    const where = `${source}: rules[${index}]`;
    if (typeof item !== 'object' || item === null) throw new CiConfigError(both(`${where} : « name: » et « value: » attendus`, `${where}: expected "name:" and "value:"`));
    const { name, value, fatal } = item as { name?: unknown; value?: unknown; fatal?: unknown };
    const key = COURSE_NAMES[String(name)] ?? RULE_KEYS.find((known) => known === name);
    const known = `efficiency, size, ${DIVE_KEYS.join(', ')}`;
    if (!key) throw new CiConfigError(both(`${where} : règle inconnue « ${String(name)} » (connues : ${known})`, `${where}: unknown rule name "${String(name)}" (known: ${known})`));
    return setting(key, value, fatal !== false, `${where} (${String(name)})`);
  });
  const notes = [both(
    "ce fichier suit la forme du cours (liste « - name: … value: … »), que dive ne lit pas : dive appliquerait ses valeurs par défaut. tp7 la traduit : efficiency → lowestEfficiency, size → taille maximale de l'image (règle propre à tp7), fatal: false → simple avertissement.",
    'this file uses the course\'s list form ("- name: … value: …"), which dive does not read: dive would apply its defaults. tp7 translates it: efficiency → lowestEfficiency, size → maximum image size (a tp7-only rule), fatal: false → a warning only.',
  )];
  return { source, form: 'course-list', settings, notes };
}

/** Reads the text of a .dive-ci.yml. Throws CiConfigError on anything dive (or the course's alias) cannot mean. */
export function parseCiRules(text: string, source: string): CiRules {
  let document: unknown;
  try {
    document = yaml().parse(text);
  } catch (error) {
    const detail = (error as Error).message.split('\n')[0];
    throw new CiConfigError(both(`${source} : YAML invalide (« ${detail} »)`, `${source}: not valid YAML ("${detail}")`));
  }
  const rules = typeof document === 'object' && document !== null ? byLowerCaseKey(document as Record<string, unknown>).get('rules')?.value : undefined;
  if (rules === undefined || rules === null) {
    return { ...defaultRules(), source, notes: [both('aucune clé « rules: » : valeurs par défaut de dive', 'no "rules:" key: dive\'s defaults apply')] };
  }
  if (Array.isArray(rules)) return fromCourseList(rules, source);
  if (typeof rules === 'object') return fromDiveMapping(rules as Record<string, unknown>, source);
  throw new CiConfigError(both(`${source} : « rules » doit être un dictionnaire (lowestEfficiency: 0.9, …)`, `${source}: "rules" must be a mapping (lowestEfficiency: 0.9, …)`));
}

function judge(setting: RuleSetting, figures: Figures): { actual: number; failed: boolean; text: Localized } {
  const threshold = setting.threshold ?? 0;
  switch (setting.key) {
    case 'lowestEfficiency':
      return {
        actual: figures.efficiency,
        failed: threshold > figures.efficiency,
        text: both(`efficacité ${percent(figures.efficiency)}, minimum ${setting.value}`, `efficiency ${percent(figures.efficiency)}, lowest allowed ${setting.value}`),
      };
    case 'highestWastedBytes':
      return {
        actual: figures.wastedBytes,
        failed: figures.wastedBytes > threshold,
        text: both(`${humanBytes(figures.wastedBytes)} gaspillés, maximum ${setting.value}`, `${humanBytes(figures.wastedBytes)} wasted, highest allowed ${setting.value}`),
      };
    case 'highestUserWastedPercent':
      return {
        actual: figures.userWastedPercent,
        failed: threshold < figures.userWastedPercent,
        text: both(
          `gaspillage ${percent(figures.userWastedPercent)} des octets ajoutés, maximum ${setting.value}`,
          `${percent(figures.userWastedPercent)} of the added bytes wasted, highest allowed ${setting.value}`,
        ),
      };
    case 'highestImageSize':
      return {
        actual: figures.imageSize,
        failed: figures.imageSize > threshold,
        text: both(`taille ${humanBytes(figures.imageSize)}, maximum ${setting.value}`, `size ${humanBytes(figures.imageSize)}, highest allowed ${setting.value}`),
      };
  }
}

export function evaluateRules(rules: CiRules, figures: Figures): RuleResult[] {
  return rules.settings.map((setting) => {
    if (setting.threshold === undefined) {
      return { key: setting.key, value: setting.value, status: 'disabled', actual: Number.NaN, message: both('règle désactivée', 'rule disabled') };
    }
    const { actual, failed, text } = judge(setting, figures);
    const status: RuleStatus = !failed ? 'pass' : setting.fatal ? 'fail' : 'warn';
    return { key: setting.key, value: setting.value, status, actual, message: text };
  });
}

export function rulesPass(results: readonly RuleResult[]): boolean {
  return results.every((result) => result.status !== 'fail');
}
