import type { Lang } from '../lab/text.js';

export interface CommandContext {
  /** Positionals after the command name. */
  args: string[];
  options: Record<string, string | boolean | undefined>;
  lang: Lang;
  workdir: string;
  registry: string;
  json: boolean;
  /** True when stdin and stdout are a terminal: prompts are allowed. */
  interactive: boolean;
  out: (text: string) => void;
  err: (text: string) => void;
}

export interface CommandModule {
  /** Returns the exit code. Throws Tp7Error for anything the user should read as one line. */
  run(context: CommandContext): Promise<number>;
}
