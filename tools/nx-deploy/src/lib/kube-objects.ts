import { quantity } from './kube';

/**
 * Reading `kubectl get … -o json` lists without trusting their shape: anything that is not a
 * List of named objects becomes one sentence, never a TypeError.
 */
export interface KubeObject {
  name: string;
  /** Set once the API server is deleting the object (finalizers or a grace period hold it). */
  terminating: boolean;
  /** Whether a controller (ReplicaSet, StatefulSet, Job …) owns it: the garbage collector deletes it. */
  owned: boolean;
  annotations: Record<string, string>;
  phase?: string;
  /** A claim's size: what it holds once bound, else what it asked for. */
  storage?: string;
}

type Raw = Record<string, unknown>;
const record = (value: unknown): Raw | undefined =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Raw) : undefined;
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : undefined;

/** The objects of a `kubectl get <kind> -o json` answer, or why it is not one. */
export function parseKubeList(stdout: string): { items: KubeObject[] } | { problem: string } {
  const shown = stdout.trim();
  if (!shown) return { problem: 'printed nothing' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(shown);
  } catch {
    return { problem: `printed no JSON ("${shown.slice(0, 80)}")` };
  }
  const items = record(parsed)?.['items'];
  if (!Array.isArray(items))
    return { problem: `printed JSON without items ("${shown.slice(0, 80)}")` };
  const objects: KubeObject[] = [];
  for (const item of items) {
    const metadata = record(record(item)?.['metadata']);
    const name = text(metadata?.['name']);
    if (!metadata || !name) return { problem: 'printed an object without metadata.name' };
    const status = record(record(item)?.['status']);
    const spec = record(record(item)?.['spec']);
    const annotations: Record<string, string> = {};
    for (const [key, value] of Object.entries(record(metadata['annotations']) ?? {}))
      if (typeof value === 'string') annotations[key] = value;
    const owners = metadata['ownerReferences'];
    objects.push({
      name,
      terminating: text(metadata['deletionTimestamp']) !== undefined,
      owned: Array.isArray(owners) && owners.length > 0,
      annotations,
      phase: text(status?.['phase']),
      storage:
        text(record(status?.['capacity'])?.['storage']) ??
        text(record(record(spec?.['resources'])?.['requests'])?.['storage']),
    });
  }
  return { items: objects };
}

/** The first node's allocatable CPUs and memory, or what is wrong with the answer. */
export function nodeAllocatable(
  stdout: string,
): { cpu: number; memoryMiB: number } | { problem: string } {
  const listed = parseKubeList(stdout);
  if ('problem' in listed) return { problem: listed.problem };
  let parsed: { items?: Array<{ status?: { allocatable?: Record<string, unknown> } }> };
  try {
    parsed = JSON.parse(stdout) as typeof parsed;
  } catch {
    return { problem: 'printed no JSON' };
  }
  const allocatable = parsed.items?.[0]?.status?.allocatable;
  if (!allocatable) return { problem: 'listed no node with status.allocatable' };
  const cpu = quantity(allocatable['cpu']);
  const memory = quantity(allocatable['memory']);
  if (!Number.isFinite(cpu) || !Number.isFinite(memory))
    return {
      problem: `gave allocatable cpu ${JSON.stringify(allocatable['cpu'])} and memory ${JSON.stringify(allocatable['memory'])}, which are no Kubernetes quantities`,
    };
  return { cpu, memoryMiB: memory / 2 ** 20 };
}
