import { parseAllDocuments } from 'yaml';
import { isPlainObject } from './values';

interface Rendered {
  kind?: string;
  metadata?: { name?: string };
  spec?: {
    replicas?: number;
    type?: string;
    ports?: Array<{ port?: number; nodePort?: number; name?: string }>;
    template?: {
      spec?: { containers?: Array<{ name: string; image?: string; imagePullPolicy?: string }> };
    };
  };
}

/** One line per rendered object, plus a count per kind: what `helm template` would apply. */
export function summarizeManifests(yamlText: string): string[] {
  const objects = parseAllDocuments(yamlText)
    .map((doc) => doc.toJS() as unknown)
    .filter((obj): obj is Rendered => isPlainObject(obj) && typeof obj['kind'] === 'string');
  const lines = objects.map((obj) => {
    const id = `${obj.kind}/${obj.metadata?.name ?? '?'}`;
    const containers = obj.spec?.template?.spec?.containers;
    if (containers) {
      const images = containers.map(
        (c) => `${c.name}=${c.image}${c.imagePullPolicy ? ` (pull ${c.imagePullPolicy})` : ''}`,
      );
      const replicas = obj.spec?.replicas !== undefined ? `${obj.spec.replicas} replica(s), ` : '';
      return `${id}: ${replicas}${images.join(', ')}`;
    }
    if (obj.kind === 'Service') {
      const ports = (obj.spec?.ports ?? []).map(
        (p) => `${p.port}${p.nodePort ? `→node ${p.nodePort}` : ''}`,
      );
      return `${id}: ${obj.spec?.type ?? 'ClusterIP'} ${ports.join(', ')}`;
    }
    return id;
  });
  const counts = new Map<string, number>();
  for (const obj of objects)
    counts.set(obj.kind as string, (counts.get(obj.kind as string) ?? 0) + 1);
  const total = [...counts].map(([kind, n]) => `${n} ${kind}`).join(', ');
  return [`${objects.length} objects: ${total}`, ...lines];
}
