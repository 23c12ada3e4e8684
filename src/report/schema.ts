import { z } from 'zod';

// The tp7-report/1 document (`tp7 check --json`, src/report/json.ts) as a schema, for reading reports someone
// else made: `tp7 class` reads files handed in, `tp7 serve` reads what students send over the network. Objects
// stay open (the format may gain fields, never change them); every string and list is bounded, because a report
// from the network is written by whoever sends it.

const Text = (max: number) => z.string().max(max);
const Count = z.number().finite().min(0).max(1_000_000);
const Id = z.string().min(1).max(64);

/** A student's name as joined and reported: printable text of 1 to 64 characters (controls and bidi marks refused). */
export const StudentName = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .refine((name) => !/[\p{C}]/u.test(name), { message: 'printable characters only (no control or invisible formatting character)' });

const CheckShape = z.looseObject({
  id: Id,
  title: Text(500),
  task: Text(64).optional(),
  kind: Text(64),
  status: z.enum(['pass', 'fail', 'skip', 'error']),
  points: Count,
  earned: Count,
  expected: Text(4000),
  actual: Text(4000),
  message: Text(4000),
  durationMs: Count.max(86_400_000),
  skipped: z.literal(true).optional(),
});

const ExerciseShape = z.looseObject({
  id: Id,
  title: Text(500),
  earned: Count,
  possible: Count,
  checks: z.array(CheckShape).max(500),
});

const SkillShape = z.looseObject({
  id: Id,
  label: Text(500),
  status: z.enum(['pass', 'partial', 'fail', 'pending']),
  earned: Count,
  possible: Count,
  missing: z.array(Id).max(100).optional(),
});

/** A whole report as `tp7 check --json` writes it (plus `integrity`, added by `--submit`). */
export const ReportSchema = z.looseObject({
  schema: z.literal('tp7-report/1'),
  lab: z.literal('tp7'),
  student: StudentName,
  generatedAt: z.iso.datetime({ offset: true }),
  engine: z.looseObject({ host: Text(500), version: Text(100), apiVersion: Text(100), store: z.enum(['classic', 'containerd']).optional(), platform: Text(100).optional() }),
  exercises: z.array(ExerciseShape).max(100),
  checklist: z.array(SkillShape).max(100),
  score: z.looseObject({ earned: Count, possible: Count, percent: z.number().min(0).max(100), skipped: Count.optional() }),
  strict: z.boolean(),
  // A run lists the variables that steered it (TP7_*, a few DOCKER_*): a handful, never a hundred.
  environment: z.record(z.string().max(200), Text(2000)).refine((variables) => Object.keys(variables).length <= 100, 'at most 100 variables').optional(),
  /** Added by `tp7 check --submit`: hex sha256 of the class code and the engine's ID (the board flags two students on one engine). */
  integrity: z.looseObject({ engine: z.string().regex(/^[0-9a-f]{64}$/).optional() }).optional(),
});
export type SubmittedReport = z.infer<typeof ReportSchema>;

/**
 * The parts of a report the gradebook reads, loosely: `tp7 class` also reads reports made by older versions
 * (before `lab`, `score.skipped` or `strict` existed).
 */
export const GradebookReportShape = z.looseObject({
  schema: z.literal('tp7-report/1'),
  student: z.string().optional(),
  generatedAt: z.string(),
  exercises: z.array(z.looseObject({ id: z.string(), earned: z.number(), possible: z.number() })),
  checklist: z.array(z.looseObject({ id: z.string(), status: z.string() })),
  score: z.looseObject({ earned: z.number(), possible: z.number(), percent: z.number() }),
});
