import type Docker from 'dockerode';
import { PROBE_LABEL } from './probe-owner.js';

/** Wait before subscribing again after the event stream ended (engine restarted, connection dropped). */
const RESUBSCRIBE_MS = 1000;

/** One message of GET /events (the fields tp7 reads). */
export interface EngineEvent {
  Type?: string;
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

/**
 * What an event may have changed, in the engine's terms: image names (or every image, when the event names
 * only an ID), container names, and whether the registry may have changed (a push).
 */
export interface EngineChange {
  images: string[] | 'any';
  containers: string[] | 'any';
  registry: boolean;
}

/**
 * Actions that read and change nothing. Some are tp7's own doing (it reads files with GET .../archive and saves
 * images with GET .../get): were they to count, each round would set off the next.
 */
const READ_ONLY = new Set(['archive-path', 'save', 'export', 'top', 'attach', 'detach', 'resize', 'exec_detach']);

const IMAGE_ID = /^sha256:|^[0-9a-f]{64}$/;

/**
 * The reference an image event names, or undefined when it gives only an ID (an untag, a delete). A pull names
 * the full reference in the actor's ID (`nginx:alpine`) and only the repository in `name`; a tag the reverse.
 */
function imageName(event: EngineEvent): string | undefined {
  const candidates = [event.Actor?.ID, event.Actor?.Attributes?.name];
  return candidates.find((name): name is string => Boolean(name) && !IMAGE_ID.test(name!));
}

/**
 * What an engine event may have changed, or null when it cannot change what a check sees: tp7's own probe
 * containers, read-only actions, networks and volumes (which matter to checks only through a container, whose
 * own events come with them). An event of an unknown kind (an older fake, a daemon reload) may change anything.
 */
export function changeOf(event: EngineEvent | undefined): EngineChange | null {
  const every: EngineChange = { images: 'any', containers: 'any', registry: true };
  if (!event?.Type) return every;
  const action = (event.Action ?? '').split(':')[0]!.trim();
  if (READ_ONLY.has(action)) return null;
  const attributes = event.Actor?.Attributes ?? {};
  switch (event.Type) {
    case 'container': {
      if (attributes[PROBE_LABEL] !== undefined) return null;
      const name = attributes.name;
      // A commit makes an image (a tag event follows when it is named).
      const made = action === 'commit' ? [attributes.imageRef ?? ''].filter(Boolean) : [];
      return { images: made, containers: name ? [name] : 'any', registry: false };
    }
    case 'image': {
      const name = imageName(event);
      return { images: name ? [name] : 'any', containers: [], registry: action === 'push' };
    }
    case 'network':
    case 'volume':
      return null;
    default:
      return every;
  }
}

/**
 * Calls `listener` with each engine event until the returned function is called. The stream is opened again
 * whenever it ends, so a long `tp7 watch` keeps hearing the engine across restarts and quiet hours; on reopening,
 * `listener` is called without an event (something may have changed while the stream was down).
 */
export async function subscribeEvents(docker: Docker, listener: (event?: EngineEvent) => void): Promise<() => void> {
  let closed = false;
  let current: (NodeJS.ReadableStream & { destroy(): void }) | undefined;
  let retry: NodeJS.Timeout | undefined;
  const open = async (): Promise<void> => {
    current = (await docker.getEvents({})) as typeof current;
    // One chunk may hold several events or part of one: events are whole lines of JSON.
    let pending = '';
    current!.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (!line.trim()) continue;
        let event: EngineEvent | undefined;
        try {
          event = JSON.parse(line) as EngineEvent;
        } catch {
          event = undefined;
        }
        listener(event);
      }
    });
    const again = () => {
      if (closed) return;
      clearTimeout(retry);
      retry = setTimeout(() => void open().then(() => listener(), again), RESUBSCRIBE_MS);
    };
    current!.once('end', again);
    current!.once('error', again);
    current!.once('close', again);
  };
  await open();
  return () => {
    closed = true;
    clearTimeout(retry);
    current?.destroy();
  };
}
