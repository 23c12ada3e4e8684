import type { DiskUsage } from './types.js';

/** The images part of GET /system/df as engines write it (API 1.52 moved it under ImageUsage, 1.53 dropped the old fields). */
interface RawDiskUsage {
  LayersSize?: number;
  Images?: DiskUsage['Images'] | null;
  ImageUsage?: { TotalSize?: number; Items?: DiskUsage['Images'] | null } | null;
}

/** GET /system/df in the shape `docker system df` reads, whichever API version answered. */
export function diskUsageOf(raw: RawDiskUsage): DiskUsage {
  if (raw.ImageUsage) return { LayersSize: raw.ImageUsage.TotalSize ?? 0, Images: raw.ImageUsage.Items ?? [] };
  return { LayersSize: raw.LayersSize ?? 0, Images: raw.Images ?? [] };
}

/**
 * The RECLAIMABLE figure of the Images row of `docker system df`, computed the way the docker CLI does: all
 * layers' size minus what images in use by a container (running or not) hold of their own.
 */
export function reclaimableImageBytes(df: DiskUsage): number {
  const used = df.Images.filter((image) => image.Containers > 0 && image.Size >= 0 && image.SharedSize >= 0)
    .reduce((total, image) => total + image.Size - image.SharedSize, 0);
  return Math.max(0, df.LayersSize - used);
}
