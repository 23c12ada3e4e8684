// The live connection: one EventSource on /api/events, reopened with a growing delay when the server closes it
// or refuses it. The browser reconnects by itself after a dropped stream; we take over only when it gives up.

const FIRST_DELAY_MS = 1000;
const LONGEST_DELAY_MS = 15_000;

function parse(event) {
  try {
    return JSON.parse(event.data);
  } catch {
    return null; // a garbled event is dropped; the next resync corrects the board
  }
}

/**
 * handlers: onState('connecting' | 'live' | 'reconnecting'), onOpen() after every (re)connection (resync then),
 * onStudent(row), onReleased({ name }).
 * onOpen may return a promise (the resync); the state turns 'live' when it settles.
 */
export function connectEvents(url, handlers) {
  let source = null;
  let timer = null;
  let delay = FIRST_DELAY_MS;
  let everOpened = false;

  function open() {
    timer = null;
    source = new EventSource(url);
    const opened = source;
    source.addEventListener('open', () => {
      delay = FIRST_DELAY_MS;
      everOpened = true;
      // "Live" is promised only once the snapshot taken on this connection is shown: before that the page may
      // still show an empty class or an old one. A stream that dropped meanwhile keeps its own state.
      Promise.resolve(handlers.onOpen()).finally(() => {
        if (source === opened && opened.readyState === EventSource.OPEN) handlers.onState('live');
      });
    });
    source.addEventListener('student', (event) => {
      const row = parse(event);
      if (row && typeof row.name === 'string') handlers.onStudent(row);
    });
    source.addEventListener('released', (event) => {
      const body = parse(event);
      if (body && typeof body.name === 'string') handlers.onReleased(body);
    });
    source.addEventListener('error', () => {
      handlers.onState(everOpened ? 'reconnecting' : 'connecting');
      if (source.readyState !== EventSource.CLOSED) return; // the browser retries on its own
      source.close();
      timer = setTimeout(open, delay);
      delay = Math.min(delay * 2, LONGEST_DELAY_MS);
    });
  }

  handlers.onState('connecting');
  open();
  return {
    close() {
      if (timer) clearTimeout(timer);
      source?.close();
    },
  };
}
