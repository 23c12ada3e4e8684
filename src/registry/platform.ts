// Platforms (os/architecture/variant) as registries, engines and people write them. One module for every
// spelling: Docker says arm64 where `uname -m` says aarch64, amd64 for x86_64, arm + v7 for armv7l.

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** Other names of an architecture → Docker's (GOARCH) name, with the variant a name implies. */
const ALIASES: Record<string, { architecture: string; variant?: string }> = {
  x86_64: { architecture: 'amd64' },
  'x86-64': { architecture: 'amd64' },
  x64: { architecture: 'amd64' },
  intel64: { architecture: 'amd64' },
  amd64: { architecture: 'amd64' },
  aarch64: { architecture: 'arm64' },
  arm64: { architecture: 'arm64' },
  armv8: { architecture: 'arm64' },
  arm64v8: { architecture: 'arm64' },
  armv7: { architecture: 'arm', variant: 'v7' },
  armv7l: { architecture: 'arm', variant: 'v7' },
  armhf: { architecture: 'arm', variant: 'v7' },
  arm32v7: { architecture: 'arm', variant: 'v7' },
  armv6: { architecture: 'arm', variant: 'v6' },
  armv6l: { architecture: 'arm', variant: 'v6' },
  armel: { architecture: 'arm', variant: 'v6' },
  arm32v6: { architecture: 'arm', variant: 'v6' },
  arm: { architecture: 'arm' },
  i386: { architecture: '386' },
  i686: { architecture: '386' },
  x86: { architecture: '386' },
  i486: { architecture: '386' },
  i586: { architecture: '386' },
  '386': { architecture: '386' },
  ppc64le: { architecture: 'ppc64le' },
  ppc64el: { architecture: 'ppc64le' },
  s390x: { architecture: 's390x' },
  riscv64: { architecture: 'riscv64' },
};

/**
 * Docker's spelling of an architecture with its variant: `aarch64` → arm64, `armv7l` → arm/v7,
 * `arm/v7` → arm/v7, `x86_64` → amd64. arm64's only variant, v8, is left out (Docker omits it too).
 * Undefined for a word that names no architecture.
 */
export function normaliseArchitecture(text: string): { architecture: string; variant?: string } | undefined {
  const [name = '', variant] = text.trim().toLowerCase().replace(/^linux\//, '').split('/');
  const known = ALIASES[name];
  if (!known) return undefined;
  const chosen = variant ?? known.variant;
  if (known.architecture === 'arm64') return chosen && chosen !== 'v8' ? { architecture: 'arm64', variant: chosen } : { architecture: 'arm64' };
  return chosen ? { architecture: known.architecture, variant: chosen } : { architecture: known.architecture };
}

/** "linux/arm64/v8" → its parts; "arm64", "aarch64" or "armv7l" alone mean linux. Undefined when unreadable. */
export function parsePlatform(text: string): Platform | undefined {
  const parts = text.trim().toLowerCase().split('/');
  const os = parts[0] === 'linux' || parts[0] === 'windows' ? parts.shift()! : 'linux';
  const arch = normaliseArchitecture(parts.join('/'));
  return arch ? { os, ...arch } : undefined;
}

/** linux/amd64, linux/arm64/v8, linux/arm/v7: the form `--platform` takes and `docker manifest inspect` shows. */
export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

/** A platform with Docker's spellings, so that arm64 and arm64/v8, or aarch64 and arm64, compare equal. */
export function canonicalPlatform(platform: Platform): string {
  const arch = normaliseArchitecture([platform.architecture, platform.variant].filter(Boolean).join('/'));
  return arch ? formatPlatform({ os: platform.os.toLowerCase(), ...arch }) : formatPlatform(platform).toLowerCase();
}

export function samePlatform(a: Platform, b: Platform): boolean {
  return canonicalPlatform(a) === canonicalPlatform(b);
}

/**
 * Whether what `uname -m` printed in a container is the machine of `platform`: aarch64 for arm64, armv7l
 * for arm/v7, x86_64 for amd64. An arm/v7 platform also accepts armv8l (a 64-bit kernel running 32-bit code).
 */
export function unameMatches(machine: string, platform: Platform): boolean {
  const word = machine.trim().toLowerCase();
  if (platform.architecture === 'arm' && word === 'armv8l') return true;
  const seen = normaliseArchitecture(word);
  if (!seen) return false;
  const wanted = normaliseArchitecture([platform.architecture, platform.variant].filter(Boolean).join('/'));
  return seen.architecture === wanted?.architecture && (seen.variant === undefined || seen.variant === wanted.variant);
}

/** Words `uname -m` prints (not Docker's spellings: a program printing "arm64" did not ask the kernel). */
const UNAME_WORDS = /^(x86_64|i[3-6]86|aarch64|armv[5-8]l|ppc64le|s390x|riscv64)$/i;

/** Whether some word of a program's output is the machine `uname -m` gives for `platform`. */
export function printsMachine(output: string, platform: Platform): boolean {
  return output.split(/[^A-Za-z0-9_]+/).some((word) => UNAME_WORDS.test(word) && unameMatches(word, platform));
}
