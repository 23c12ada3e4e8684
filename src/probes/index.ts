// The one place probe kinds are registered. To add a kind: write src/probes/<kind>.ts exporting a ProbeKind
// (its zod schema and run function), then add it to PROBE_KINDS below. The lab schema picks it up from here.
import type { z } from 'zod';
import { kindRegistry } from '../lab/kinds.js';
import { compareScript } from './compare-script.js';
import { diveCiConfig } from './dive-ci-config.js';
import { imageEfficiency } from './image-efficiency.js';
import { imageFiles } from './image-files.js';
import { imageAttribute } from './image-attribute.js';
import { imageExists } from './image-exists.js';
import { imagePulled } from './image-pulled.js';
import { imageFileContent } from './image-file-content.js';
import { imageMadeBy } from './image-made-by.js';
import { sameImage } from './same-image.js';
import { containerEnv } from './container-env.js';
import { containerMount } from './container-mount.js';
import { containerRestartPolicy } from './container-restart-policy.js';
import { containerRunning } from './container-running.js';
import { hubLogin } from './hub-login.js';
import { hubRepository } from './hub-repository.js';
import { registryDeleteEnabled } from './registry-delete-enabled.js';
import { registryDeletedTag } from './registry-deleted-tag.js';
import { registryGarbageCollected } from './registry-garbage-collected.js';
import { registryHeader } from './registry-header.js';
import { registryConfigFile } from './registry-config-file.js';
import { registryListingScript } from './registry-listing-script.js';
import { registryRunning } from './registry-running.js';
import { registryTags } from './registry-tags.js';
import { userRepositoryTags } from './user-repository-tags.js';
import { imageArchive } from './image-archive.js';
import { exportArchive } from './export-archive.js';
import { backupFolder } from './backup-folder.js';
import { platformPulled } from './platform-pulled.js';
import { registryList } from './registry-list.js';
import { registryListConfigs } from './registry-list-configs.js';
import { registryListRuns } from './registry-list-runs.js';
import { recordedScript } from './recorded-script.js';
import { unusedImagesScript } from './unused-images-script.js';
import { setupCleaned } from './setup-cleaned.js';
import { http } from './http.js';
import { registrySameDigest } from './registry-same-digest.js';
import { containerFromRegistry } from './container-from-registry.js';
import { localTagsRemoved } from './local-tags-removed.js';
import { cleanupScript } from './cleanup-script.js';
import { versionScript } from './version-script.js';
import { releaseVersion } from './release-version.js';
import { releaseTagsProbe } from './release-tags.js';
import { releaseGitTag } from './release-git-tag.js';
import type { ProbeKind } from './types.js';

export const PROBE_KINDS = [imageExists, sameImage, imageAttribute, imageFileContent, imageMadeBy, imagePulled, compareScript, userRepositoryTags, hubLogin, hubRepository, containerRunning, containerRestartPolicy, containerMount, containerEnv, registryHeader, registryConfigFile, registryDeleteEnabled, registryTags, registryDeletedTag, registryGarbageCollected, registryListingScript, registryRunning, imageEfficiency, imageFiles, imageArchive, exportArchive, backupFolder, diveCiConfig,
  platformPulled, registryList, registryListConfigs, registryListRuns, recordedScript, unusedImagesScript, setupCleaned,
  http, registrySameDigest, containerFromRegistry, localTagsRemoved, cleanupScript,
  versionScript, releaseVersion, releaseTagsProbe, releaseGitTag] as const;

export type ProbeSpec = z.infer<(typeof PROBE_KINDS)[number]['schema']>;

const registry = kindRegistry<ProbeKind<{ kind: string }>, ProbeSpec>(
  'probe',
  PROBE_KINDS as unknown as ProbeKind<{ kind: string }>[],
  'What to check',
);

export const probeKind = registry.get;
export const probeKindNames = registry.names;
export const ProbeSchema = registry.schema;
