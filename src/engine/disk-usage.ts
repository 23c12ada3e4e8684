import type { DiskUsage } from './types.js';

/**
 * The RECLAIMABLE figure of the Images row of `docker system df`, computed the way the docker CLI does: all
 * layers' size minus what images in use by a container (running or not) hold of their own.
 */
export function reclaimableImageBytes(df: DiskUsage): number {
  const used = df.Images.filter((image) => image.Containers > 0 && image.Size >= 0 && image.SharedSize >= 0)
    .reduce((total, image) => total + image.Size - image.SharedSize, 0);
  return Math.max(0, df.LayersSize - used);
}
