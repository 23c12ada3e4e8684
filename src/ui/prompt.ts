// Thin wrappers over enquirer, imported only when a prompt is shown (it is the heaviest module of the menu).

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

export function multiSelect(message: string, choices: PromptChoice[]): Promise<string[]> {
  return ask<string[]>({ type: 'multiselect', message, choices, hint: '(space to select, enter to confirm)' });
}

export function input(message: string): Promise<string> {
  return ask<string>({ type: 'input', message });
}

export function confirm(message: string): Promise<boolean> {
  return ask<boolean>({ type: 'confirm', message, initial: false });
}
