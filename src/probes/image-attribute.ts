import { z } from 'zod';
import { ImageRef, Pattern } from '../lab/ids.js';
import { both, type Localized } from '../lab/text.js';
import { IMAGE_ATTRIBUTES, formatValue, readAttribute, type AttributeValue } from '../engine/attributes.js';
import { outcome, type Outcome, type ProbeKind } from './types.js';

const schema = z
  .strictObject({
    kind: z.literal('image-attribute'),
    ref: ImageRef.describe('The image whose attribute is read'),
    attribute: z.enum(IMAGE_ATTRIBUTES).describe('Which attribute of `docker inspect` to read'),
    equals: z.union([z.string(), z.number()]).optional().describe('The value must equal this'),
    matches: Pattern.optional().describe('The value (as text) must match this regular expression'),
    includes: z.string().optional().describe('A list attribute (env, cmd, exposed-ports) must contain this item'),
    lessThan: z.number().optional().describe('A numeric attribute must be below this'),
    greaterThan: z.number().optional().describe('A numeric attribute must be above this'),
    lessThanImage: ImageRef.optional().describe("A numeric attribute must be below the same attribute of this image"),
    factor: z.number().positive().default(1).describe('With lessThanImage: the value must be below factor × the other'),
  })
  .refine((spec) => ['equals', 'matches', 'includes', 'lessThan', 'greaterThan', 'lessThanImage'].some((key) => key in spec && spec[key as keyof typeof spec] !== undefined), {
    error: 'give at least one expectation: equals, matches, includes, lessThan, greaterThan or lessThanImage',
  })
  .describe('An attribute of an image (size, architecture, os, created, ports, cmd, env, workdir...) meets an expectation');
type Spec = z.infer<typeof schema>;

/** The expectation alone ("< 0.5 × size of app:v1"), in both languages, for messages and the report. */
function describeCondition(spec: Spec, other?: number): Localized {
  const parts: Localized[] = [];
  if (spec.equals !== undefined) parts.push(both(`= ${spec.equals}`, `= ${spec.equals}`));
  if (spec.matches !== undefined) parts.push(both(`correspond à /${spec.matches}/`, `matches /${spec.matches}/`));
  if (spec.includes !== undefined) parts.push(both(`contient ${spec.includes}`, `includes ${spec.includes}`));
  if (spec.lessThan !== undefined) parts.push(both(`< ${spec.lessThan}`, `< ${spec.lessThan}`));
  if (spec.greaterThan !== undefined) parts.push(both(`> ${spec.greaterThan}`, `> ${spec.greaterThan}`));
  if (spec.lessThanImage !== undefined) {
    const scale = spec.factor === 1 ? '' : `${spec.factor} × `;
    const figure = other === undefined ? '' : ` (${other})`;
    parts.push(both(`< ${scale}${spec.attribute} de ${spec.lessThanImage}${figure}`, `< ${scale}${spec.attribute} of ${spec.lessThanImage}${figure}`));
  }
  return both(parts.map((part) => part.fr).join(' et '), parts.map((part) => part.en).join(' and '));
}

/** The report's `expected` field (English, like every probe's): "size of app:v2 < 0.5 × size of app:v1". */
function describeExpectation(spec: Spec, other?: number): string {
  return `${spec.attribute} of ${spec.ref} ${describeCondition(spec, other).en}`;
}

function meets(spec: Spec, value: AttributeValue, other: number | undefined): boolean {
  // The raw value, not its display form: an empty value is "", which `matches: "^$"` must see as such.
  const raw = Array.isArray(value) ? value.join(' ') : String(value);
  const list = Array.isArray(value) ? value : [String(value)];
  const number = typeof value === 'number' ? value : Number.NaN;
  if (spec.equals !== undefined && String(spec.equals) !== raw) return false;
  if (spec.matches !== undefined && !new RegExp(spec.matches).test(raw)) return false;
  if (spec.includes !== undefined && !list.includes(spec.includes)) return false;
  if (spec.lessThan !== undefined && !(number < spec.lessThan)) return false;
  if (spec.greaterThan !== undefined && !(number > spec.greaterThan)) return false;
  if (other !== undefined && !(number < spec.factor * other)) return false;
  return true;
}

export const imageAttribute: ProbeKind<Spec> = {
  kind: 'image-attribute',
  schema,
  inputs: { images: ['ref', 'lessThanImage'] },
  async run(spec, { engine }): Promise<Outcome> {
    const [image, otherImage] = await Promise.all([
      engine.inspectImage(spec.ref),
      spec.lessThanImage ? engine.inspectImage(spec.lessThanImage) : Promise.resolve(undefined),
    ]);
    if (!image || otherImage === null) {
      const missing = !image ? spec.ref : spec.lessThanImage!;
      return outcome('fail', describeExpectation(spec), `${missing} absent`, both(
        `${missing} est introuvable : impossible de lire ${spec.attribute}.`,
        `${missing} is missing, so ${spec.attribute} cannot be read.`,
      ));
    }
    const value = readAttribute(image, spec.attribute);
    const other = otherImage ? Number(readAttribute(otherImage, spec.attribute)) : undefined;
    const expected = describeExpectation(spec, other);
    const actual = `${spec.attribute} = ${formatValue(value)}`;
    if (meets(spec, value, other)) {
      return outcome('pass', expected, actual, both(`${spec.ref} : ${actual}.`, `${spec.ref}: ${actual}.`));
    }
    const condition = describeCondition(spec, other);
    const empty = Array.isArray(value) ? value.length === 0 : value === '';
    return outcome('fail', expected, actual, both(
      `${spec.ref} : attendu ${spec.attribute} ${condition.fr}, trouvé ${empty ? '(vide)' : formatValue(value)}.`,
      `${spec.ref}: expected ${spec.attribute} ${condition.en}, found ${formatValue(value)}.`,
    ));
  },
};
