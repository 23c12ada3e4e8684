// Answers naming architectures or platforms, in any of their usual spellings: aarch64 or arm64 or
// linux/arm64/v8, x86_64 or amd64, armv7l or arm/v7; a list of platforms in any order and separator.
import { both, type Localized } from '../lab/text.js';
import { canonicalPlatform, normaliseArchitecture, parsePlatform } from '../registry/platform.js';

function archKey(text: string): string | undefined {
  const arch = normaliseArchitecture(text.trim().replace(/^["']|["']$/g, ''));
  return arch ? [arch.architecture, arch.variant].filter(Boolean).join('/') : undefined;
}

/**
 * The same architecture: aarch64 is arm64, armv7l is arm/v7. When the expected value names no variant (the
 * engine's `Architecture` alone, "arm"), an answer that adds one (armv7, armhf) is as right.
 */
export function architectureMatches(answer: string, expected: string): boolean {
  const given = archKey(answer);
  const wanted = archKey(expected);
  if (given === undefined || wanted === undefined) return false;
  return given === wanted || (!wanted.includes('/') && given.split('/')[0] === wanted);
}

export function architectureProblem(answer: string): Localized | undefined {
  return archKey(answer) ? undefined : both("donnez un nom d'architecture comme amd64, arm64 ou arm/v7", 'answer with an architecture name such as amd64, arm64 or arm/v7');
}

/** The platforms of an answer ("linux/amd64, linux/arm64 et linux/arm/v7"), or undefined when one word is no platform. */
function parsePlatforms(answer: string): Set<string> | undefined {
  const words = answer.toLowerCase().split(/[\s,;|+]+|\bet\b|\band\b/).map((word) => word.trim().replace(/^["'[(]+|["'\])]+$/g, '')).filter(Boolean);
  const platforms = words.map(parsePlatform);
  if (!platforms.length || platforms.some((platform) => !platform)) return undefined;
  return new Set(platforms.map((platform) => canonicalPlatform(platform!)));
}

export function platformsMatch(answer: string, expected: string[]): boolean {
  const given = parsePlatforms(answer);
  const wanted = new Set(expected.map((text) => (parsePlatform(text) ? canonicalPlatform(parsePlatform(text)!) : text)));
  return given !== undefined && given.size === wanted.size && [...wanted].every((platform) => given.has(platform));
}

export function platformsProblem(answer: string): Localized | undefined {
  return parsePlatforms(answer) ? undefined : both('donnez les plateformes séparées par des virgules, par exemple linux/amd64, linux/arm64', 'list the platforms separated by commas, such as linux/amd64, linux/arm64');
}
