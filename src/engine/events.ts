import type Docker from 'dockerode';

/** Wait before subscribing again after the event stream ended (engine restarted, connection dropped). */
const RESUBSCRIBE_MS = 1000;

/**
 * Calls `listener` on engine events until the returned function is called. The stream is opened again
 * whenever it ends, so a long `tp7 watch` keeps hearing the engine across restarts and quiet hours.
 */
export async function subscribeEvents(docker: Docker, listener: () => void): Promise<() => void> {
  let closed = false;
  let current: (NodeJS.ReadableStream & { destroy(): void }) | undefined;
  let retry: NodeJS.Timeout | undefined;
  const open = async (): Promise<void> => {
    current = (await docker.getEvents({})) as typeof current;
    // One chunk may hold several events or part of one: any data means "something changed", all we need.
    current!.on('data', listener);
    const again = () => {
      if (closed) return;
      clearTimeout(retry);
      retry = setTimeout(() => void open().then(listener, again), RESUBSCRIBE_MS);
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
