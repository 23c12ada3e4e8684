// Reads what a registry-listing script printed: which tags it listed under which repository, and on which
// line. The course's script prints `Repository: <name>` and then `  - <tag> (created: <date>)` lines; tables
// (`nginx  alpine  2024-02-14`), references (`nginx:alpine 2024-02-14`) and bare headings (`nginx`) are
// read too. What matters is that a tag is read under its own repository: nginx's tags listed under alpine
// do not count, and a word such as "old" in a sentence is not a tag.

/** One tag the output lists, the repository it is listed under, and the line that lists it. */
export interface ListedTag {
  repository: string;
  tag: string;
  line: string;
}

export interface Listing {
  tags: ListedTag[];
  /** Repositories the output names, as a heading or in front of a tag. */
  repositories: Set<string>;
}

/** The tags each repository may be listed with: those it holds, and the deleted ones a stale script shows. */
export type KnownTags = Map<string, Set<string>>;

const DAY = /\d{4}-\d{2}-\d{2}|\d{2}\/\d{2}\/\d{4}/;
/** Indented or bulleted: a line inside a repository's block, never its heading. */
const ITEM = /^(\s+|\s*[-*•+>|]\s)/;
/** Names are made of these characters; anything else (spaces, colons, brackets, quotes) separates them. */
const SEPARATOR = /[^A-Za-z0-9._/-]+/;
/** A label in front of a tag: `tag: alpine`, `"tag":"alpine"`. */
const TAG_LABEL = /^tags?$/i;

function tokensOf(line: string, address: string): string[] {
  // localhost:5000/nginx:alpine is nginx:alpine: the registry's address is not part of the repository name.
  // A name holds a letter or a digit: a bullet `-` or a rule `---` is none.
  return line.split(`${address}/`).join(' ').split(SEPARATOR).filter((token) => /[A-Za-z0-9]/.test(token));
}

/** Tags named right after their repository on the line: `nginx alpine`, `nginx:alpine`, `nginx ... tag: alpine`. */
function sameLineTags(tokens: string[], known: KnownTags): Array<{ repository: string; tag: string }> {
  const found: Array<{ repository: string; tag: string }> = [];
  tokens.forEach((token, index) => {
    const tags = known.get(token);
    if (!tags) return;
    tokens.forEach((candidate, position) => {
      const placed = position === index + 1 || (position > index && TAG_LABEL.test(tokens[position - 1]!));
      if (placed && tags.has(candidate)) found.push({ repository: token, tag: candidate });
    });
  });
  return found;
}

/**
 * A tag inside a repository's block: the line's first name (`  - alpine (created: …)`), or a labelled one.
 * Any repository's tag is read, so that a tag filed under the wrong repository can be named as such.
 */
function blockTag(tokens: string[], tags: Set<string>): string | undefined {
  if (tokens[0] !== undefined && tags.has(tokens[0])) return tokens[0];
  return tokens.find((token, index) => index > 0 && TAG_LABEL.test(tokens[index - 1]!) && tags.has(token));
}

/**
 * Reads the output line by line, keeping the repository whose block it is in. `known` holds every repository
 * of the registry with the tags it may be listed with; `address` is the registry's (stripped from references).
 */
export function readListing(output: string, known: KnownTags, address: string): Listing {
  const listing: Listing = { tags: [], repositories: new Set() };
  const anyTag = new Set([...known.values()].flatMap((tags) => [...tags]));
  let current: string | undefined;
  for (const line of output.split('\n')) {
    const tokens = tokensOf(line, address);
    const inline = sameLineTags(tokens, known);
    if (inline.length) {
      for (const entry of inline) {
        listing.tags.push({ ...entry, line });
        listing.repositories.add(entry.repository);
      }
      continue;
    }
    const named = tokens.find((token) => known.has(token));
    if (named && !ITEM.test(line) && !DAY.test(line)) {
      // An unindented line naming a repository and no date opens that repository's block.
      current = named;
      listing.repositories.add(named);
      continue;
    }
    const tag = current === undefined ? undefined : blockTag(tokens, anyTag);
    if (tag !== undefined) listing.tags.push({ repository: current!, tag, line });
  }
  return listing;
}

/** How a creation date may be written: ISO day (UTC, or a day off for a local time zone) or DD/MM/YYYY. */
export function dayForms(created: string): string[] {
  const time = Date.parse(created);
  if (Number.isNaN(time)) return [created];
  return [-1, 0, 1].flatMap((offset) => {
    const iso = new Date(time + offset * 86_400_000).toISOString().slice(0, 10);
    const [year, month, day] = iso.split('-');
    return [iso, `${day}/${month}/${year}`];
  });
}
