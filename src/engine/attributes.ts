import type { ImageInspect } from './types.js';

// The image facts that `docker inspect --format` shows in TP7 exercise 1.2, read from the Engine API's
// inspect document. One reader serves probes and engine-derived questions alike.
export const IMAGE_ATTRIBUTES = [
  'id',
  'size',
  'architecture',
  'os',
  'created',
  'exposed-ports',
  'cmd',
  'entrypoint',
  'env',
  'workdir',
  'user',
  'layers',
] as const;
export type ImageAttribute = (typeof IMAGE_ATTRIBUTES)[number];

export type AttributeValue = string | number | string[];

export function readAttribute(image: ImageInspect, attribute: ImageAttribute): AttributeValue {
  const config = image.Config ?? {};
  switch (attribute) {
    case 'id':
      return image.Id;
    case 'size':
      return image.Size;
    case 'architecture':
      // What `docker inspect --format '{{.Architecture}}'` prints: arm64, not arm64/v8 (the variant is apart).
      return image.Architecture;
    case 'os':
      return image.Os;
    case 'created':
      return image.Created;
    case 'exposed-ports':
      return Object.keys(config.ExposedPorts ?? {}).sort();
    case 'cmd':
      return config.Cmd ?? [];
    case 'entrypoint':
      return config.Entrypoint ?? [];
    case 'env':
      return config.Env ?? [];
    case 'workdir':
      return config.WorkingDir ?? '';
    case 'user':
      return config.User ?? '';
    case 'layers':
      return image.RootFS?.Layers?.length ?? 0;
  }
}

/** Renders a value the way a student would write it down. */
export function formatValue(value: AttributeValue): string {
  if (Array.isArray(value)) return value.length ? value.join(' ') : '(empty)';
  if (value === '') return '(empty)';
  return String(value);
}

export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}
