/** Image references as the tools print them: `todo-frontend:1`, `docker.io/library/todo-frontend:1`, `localhost/todo-frontend:1`. */
export interface ImageRef {
  repository: string;
  tag: string;
}

export function formatRef(ref: ImageRef): string {
  return `${ref.repository}:${ref.tag}`;
}

/** Split `repo[:tag]`, keeping a registry port (`host:5000/app`) inside the repository. */
export function parseRef(text: string): ImageRef {
  const slash = text.lastIndexOf('/');
  const colon = text.lastIndexOf(':');
  if (colon > slash) return { repository: text.slice(0, colon), tag: text.slice(colon + 1) };
  return { repository: text, tag: '' };
}

function hasRegistryHost(repository: string): boolean {
  const first = repository.split('/')[0];
  return (
    repository.includes('/') &&
    (first.includes('.') || first.includes(':') || first === 'localhost')
  );
}

/**
 * The name a cluster runtime resolves a reference to, so `app:1` equals `docker.io/library/app:1`.
 * Podman's `localhost/app:1` is a different name: a pod asking for `app:1` would not find it.
 */
export function canonicalRef(text: string): string {
  const { repository, tag } = parseRef(text.trim());
  let name = repository;
  if (name.startsWith('docker.io/')) name = name.slice('docker.io/'.length);
  if (name.startsWith('library/')) name = name.slice('library/'.length);
  return `${name}:${tag || 'latest'}`;
}

export function sameImage(a: string, b: string): boolean {
  return canonicalRef(a) === canonicalRef(b);
}

/** `registry.example.com/team` + `todo/frontend` → `registry.example.com/team/todo/frontend`. */
export function repositoryInRegistry(registry: string, repository: string): string {
  const withoutHost = hasRegistryHost(repository)
    ? repository.split('/').slice(1).join('/')
    : repository;
  return `${registry.replace(/\/+$/, '')}/${withoutHost}`;
}

/** `app` → `docker.io/library/app`: the name a runtime gives an unqualified pod image. */
export function fullyQualified(ref: string): string {
  const { repository, tag } = parseRef(ref);
  if (hasRegistryHost(repository)) return ref;
  const qualified = repository.includes('/')
    ? `docker.io/${repository}`
    : `docker.io/library/${repository}`;
  return tag ? `${qualified}:${tag}` : qualified;
}
