// Thin wrappers over enquirer, imported only when a prompt is shown (it is the heaviest module of the menu).
import { both, pick, type Lang } from '../lab/lang.js';

export interface PromptChoice {
  name: string;
  message: string;
}

async function ask<T>(question: Record<string, unknown>): Promise<T> {
  const { default: Enquirer } = await import('enquirer');
  const answers = (await Enquirer.prompt({ name: 'value', ...question } as never)) as { value: T };
  return answers.value;
}

export function select(message: string, choices: PromptChoice[]): Promise<string> {
  return ask<string>({ type: 'select', message, choices });
}

const MULTI_HINT = both('(espace pour cocher, entrée pour valider)', '(space to select, enter to confirm)');

export function multiSelect(message: string, choices: PromptChoice[], lang: Lang): Promise<string[]> {
  return ask<string[]>({ type: 'multiselect', message, choices, hint: pick(MULTI_HINT, lang) });
}

export function input(message: string): Promise<string> {
  return ask<string>({ type: 'input', message });
}

interface BooleanPromptClass {
  new (options: Record<string, unknown>): { run(): Promise<boolean>; format(value: unknown): string };
}

const YES_NO = { hint: both('(o/N)', '(y/N)'), yes: both('oui', 'yes'), no: both('non', 'no') };

/**
 * Yes or no, default no. enquirer reads only y, t and 1 as yes, shows "(y/N)" and the value as true/false:
 * French gets "(o/N)", o counts as yes, and the value reads oui/non (yes/no in English).
 */
export async function confirm(message: string, lang: Lang): Promise<boolean> {
  const { default: Enquirer } = await import('enquirer');
  const Confirm = (Enquirer as unknown as { Confirm: BooleanPromptClass }).Confirm;
  class LocalisedConfirm extends Confirm {
    isTrue(input: unknown): boolean {
      return /^[tyo1]/i.test(String(input));
    }
    override format(value: unknown): string {
      return super.format(pick(value === true ? YES_NO.yes : YES_NO.no, lang));
    }
  }
  return new LocalisedConfirm({ name: 'value', message, initial: false, default: pick(YES_NO.hint, lang) }).run();
}
