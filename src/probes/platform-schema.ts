// Fields the multi-platform probes and facts share in lab files.
import { z } from 'zod';
import { parsePlatform } from '../registry/platform.js';

/** A repository of the lab's registry, without its address (myapp, team/app). */
export const RepositoryName = z.string().regex(/^[a-z0-9][a-z0-9._\/-]*$/).describe("Repository in the lab's registry, without its address");

/** os/architecture[/variant] in any usual spelling: linux/arm64, linux/arm64/v8, linux/arm/v7. */
export const PlatformName = z.string().refine((text) => parsePlatform(text) !== undefined, { error: 'a platform such as linux/arm64 or linux/arm/v7' });
