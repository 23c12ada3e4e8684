import semver from 'semver';

// Semantic-version tags, one module: which tags a release puts (NEW, MAJOR.MINOR, MAJOR, latest) and which
// release a floating tag may follow. The course's rule (exercise 9): a floating tag follows the newest release
// it covers, so after a release of 1.0.1, `latest`, `1` and `1.0` have left 1.0.0 on purpose.

/** A release tag: a plain MAJOR.MINOR.PATCH version (a pre-release such as 1.1.0-rc.1 moves no floating tag). */
export function isReleaseTag(tag: string): boolean {
  return semver.valid(tag) === tag && semver.prerelease(tag) === null;
}

/** The floating tags a release moves: MAJOR.MINOR, MAJOR and latest. */
export function floatingTagsOf(version: string): string[] {
  const parsed = semver.parse(version)!;
  return [`${parsed.major}.${parsed.minor}`, `${parsed.major}`, 'latest'];
}

/** Every tag a release pushes: the version itself first, then its floating tags. */
export function releaseTags(version: string): string[] {
  return [version, ...floatingTagsOf(version)];
}

/** True when releasing `version` moves `tag`: latest always, `1` for 1.x.y, `1.0` for 1.0.z. */
export function covers(tag: string, version: string): boolean {
  return isReleaseTag(version) && floatingTagsOf(version).includes(tag);
}

export type Standing =
  /** It names a newer release it covers: it moved with that release, as it should. */
  | { standing: 'follows'; release: string }
  /** It names an older release (or the same version, rebuilt): it went back. */
  | { standing: 'older'; release: string }
  /** It names a newer release outside its series (`1` on 2.0.0). */
  | { standing: 'outside'; release: string }
  /** No release tag names its image: it was pushed from something else. */
  | { standing: 'none' };

/**
 * Where a floating tag of `version` stands, from the release tags that name the same image as it (`releases`;
 * tags that are not plain versions are ignored). A newer release it covers wins; otherwise the newest release
 * naming it says what went wrong.
 */
export function floatingTagStanding(tag: string, version: string, releases: string[]): Standing {
  const named = releases.filter(isReleaseTag).sort(semver.rcompare);
  const follows = named.find((release) => semver.gt(release, version) && covers(tag, release));
  if (follows) return { standing: 'follows', release: follows };
  const newest = named[0];
  if (!newest) return { standing: 'none' };
  return { standing: semver.gt(newest, version) ? 'outside' : 'older', release: newest };
}
