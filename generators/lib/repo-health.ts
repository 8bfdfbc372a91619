// The generated repository's own health: where CI pushes the image, and which bot keeps the
// dependencies up to date. Pure: the answers module validates with these, the context derives from them.

export const DEPENDENCY_BOTS = ['dependabot', 'renovate', 'none'] as const;
export type DependencyBot = (typeof DEPENDENCY_BOTS)[number];

/** Where the CI workflow pushes the image built on the default branch. */
export interface ImagePush {
  /** Repository reference without a tag, e.g. ghcr.io/acme/my-site. */
  image: string;
  /** Registry host docker/login-action signs in to. */
  registry: string;
  /** GitHub's own registry: the workflow's GITHUB_TOKEN can push; elsewhere repository secrets are needed. */
  githubPackages: boolean;
}

// Docker's reference grammar, lowercase only (registries such as ghcr.io require it), no tag or digest.
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const HOST = '(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::\\d{1,5})?)';
const IMAGE_REPOSITORY = new RegExp(`^(?:${HOST}/)?${COMPONENT}(?:/${COMPONENT})*$`);

/** Problem with an image repository answer, or undefined; empty means "do not push". */
export function checkImageRepository(value: string): string | undefined {
  if (value === '') return undefined;
  return IMAGE_REPOSITORY.test(value) && value.includes('/')
    ? undefined
    : 'must be empty or an image repository without tag, in lowercase, e.g. ghcr.io/acme/my-site';
}

/**
 * The push target of an image repository, or undefined for none. Docker's rule: the first
 * component is a registry host when it has a dot or a port, or is "localhost"; otherwise Docker Hub.
 */
export function imagePush(image: string): ImagePush | undefined {
  if (image === '') return undefined;
  const first = image.split('/')[0]!;
  const registry = first.includes('.') || first.includes(':') || first === 'localhost' ? first : 'docker.io';
  return { image, registry, githubPackages: registry === 'ghcr.io' };
}
