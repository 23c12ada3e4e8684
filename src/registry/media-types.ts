// The manifest media types of the distribution API, Docker's and OCI's.

export const MEDIA_TYPES = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
} as const;

/**
 * Every manifest type we understand. Without them registry 2.8 rewrites a schema2 manifest to signed schema1
 * (another digest), answers a list with one child, or 404s OCI content.
 */
export const MANIFEST_ACCEPT = Object.values(MEDIA_TYPES);
