import { z } from 'zod';
import { ImageRef } from '../lab/ids.js';

export const SetupImage = z.strictObject({
  ref: ImageRef.describe('The tag the image is built under'),
  builds: z.number().int().min(1).max(5).default(1).describe('How many times it is rebuilt with new content: each build before the last is left dangling'),
  sizeKb: z.number().int().min(1).max(20_000).default(256).describe('Size of its one content file, in KiB'),
  container: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/).optional().describe('A container created (never started) from it, so the image is in use by a stopped container'),
});
export type SetupImage = z.infer<typeof SetupImage>;

export const SetupSchema = z
  .strictObject({
    images: z.array(SetupImage).min(1).describe('Images built locally from scratch (no registry needed), in this order'),
  })
  .describe('What `tp7 setup <ex>` creates on purpose for the exercise, every piece labelled; `tp7 reset <ex> --resources` removes them');
export type Setup = z.infer<typeof SetupSchema>;
