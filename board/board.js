// The class board: loads /api/board, follows /api/events, and keeps the grid, the "where is the room stuck" list
// and the open student's detail up to date. Plain DOM, no framework; every text from the API goes in as text.

import { createDetail } from './detail.js';
import { fill, h } from './dom.js';
import { createGrid } from './grid.js';
import { connectEvents } from './live.js';
import { chooseLanguage, classLanguage, LANGUAGES, translate } from './messages.js';
import { filterRows, formatPercent, readBelow, sortRows } from './view.js';

const RENDER_EVERY_MS = 150; // a busy room sends many events a second: draw at most this often
const STUCK_REFRESH_MS = 3000; // the stuck list comes only with /api/board: fetch it again at most this often
const ANNOUNCE_EVERY_MS = 2000; // the screen reader hears a summary, not every event
const CLOCK_MS = 15_000; // "seen 2 minutes ago" moves on by itself
const STUCK_SHOWN = 10;

const $ = (id) => document.getElementById(id);

const saved = readSaved();
const state = {
  lang: chooseLanguage(location.search, saved.lang, navigator.languages ?? [navigator.language], classLanguage(document.documentElement.dataset)),
  // Kept only once chosen with the switch: the language the page opened in follows the class and the browser.
  langChosen: LANGUAGES.includes(saved.lang) ? saved.lang : null,
  largeType: saved.largeType === true,
  view: saved.view === 'skills' ? 'skills' : 'exercises',
  sort: ['name', 'score', 'lastSeen', 'stuck'].includes(saved.sort) ? saved.sort : 'name',
  reverse: false,
  query: '',
  onlyFlagged: false,
  below: null,
  code: '',
  exercises: [],
  skills: [],
  stuck: [],
  rows: new Map(),
  connection: 'connecting',
  problem: null, // a message key and its parameters when the board cannot be read
};

const t = (key, params) => translate(state.lang, key, params);

function readSaved() {
  try {
    return JSON.parse(localStorage.getItem('tp7-board') ?? '{}') ?? {};
  } catch {
    return {};
  }
}

function save() {
  try {
    const { langChosen, largeType, view, sort } = state;
    localStorage.setItem('tp7-board', JSON.stringify({ ...(langChosen ? { lang: langChosen } : {}), largeType, view, sort }));
  } catch {
    // private mode or storage refused: the choices simply last as long as the page
  }
}

// --- reading the API ---------------------------------------------------------------------------------------

class HttpError extends Error {
  constructor(status) {
    super(`HTTP ${status}`);
    this.status = status;
  }
}

async function getJson(path) {
  const response = await fetch(path, { headers: { accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' });
  if (!response.ok) throw new HttpError(response.status);
  return response.json();
}

let loading = null;
let eventsWhileLoading = null;
let retryTimer = null;

/** The whole board, again: at start, after every reconnection (events may have been missed) and for the stuck list. */
function loadBoard() {
  if (loading) return loading;
  eventsWhileLoading = [];
  loading = getJson('/api/board')
    .then((board) => {
      state.code = String(board.class?.code ?? '');
      state.exercises = Array.isArray(board.exercises) ? board.exercises.map(String) : [];
      state.skills = Array.isArray(board.skills) ? board.skills.map(String) : [];
      state.stuck = Array.isArray(board.stuck) ? board.stuck : [];
      state.rows = new Map((board.students ?? []).map((row) => [row.name, row]));
      // An event that arrived while the snapshot travelled is newer than it, or as new.
      for (const row of eventsWhileLoading) state.rows.set(row.name, row);
      state.problem = null;
    })
    .catch((error) => {
      state.problem = error.status === 401 ? { key: 'unauthorized' } : { key: 'loadFailed', params: { status: error.status ?? error.message } };
      if (error.status !== 401) {
        clearTimeout(retryTimer);
        retryTimer = setTimeout(loadBoard, 5000);
      }
    })
    .finally(() => {
      loading = null;
      eventsWhileLoading = null;
      scheduleRender();
    });
  return loading;
}

let stuckTimer = null;
function refreshStuckSoon() {
  if (stuckTimer) return;
  stuckTimer = setTimeout(() => {
    stuckTimer = null;
    void loadBoard();
  }, STUCK_REFRESH_MS);
}

// --- announcements for screen readers --------------------------------------------------------------------

const pendingAnnouncements = new Map();
let announceTimer = null;

function announce(key, params) {
  pendingAnnouncements.set(`${key}:${params.name}`, { key, params });
  if (announceTimer) return;
  announceTimer = setTimeout(() => {
    announceTimer = null;
    const items = [...pendingAnnouncements.values()];
    pendingAnnouncements.clear();
    const text = items.length === 1 ? t(items[0].key, items[0].params) : t('announceMany', { count: items.length });
    fill($('announcer'), text);
  }, ANNOUNCE_EVERY_MS);
}

// --- drawing ---------------------------------------------------------------------------------------------

let renderTimer = null;
function scheduleRender() {
  if (renderTimer) return;
  renderTimer = setTimeout(() => {
    renderTimer = null;
    requestAnimationFrame(render);
  }, RENDER_EVERY_MS);
}

const grid = createGrid($('grid'), { onOpen: (name, exercise) => void detail.open(name, exercise) });

const detail = createDetail(
  $('detail'),
  {
    t,
    lang: () => state.lang,
    now: () => Date.now(),
    exercises: () => state.exercises,
    load: (name) => getJson(`/api/students/${encodeURIComponent(name)}`),
  },
  { onClose: () => $('grid').querySelector('[tabindex="0"]')?.focus() },
);

function columns() {
  const ids = state.view === 'skills' ? state.skills : state.exercises;
  return ids.map((id) => ({ id }));
}

/** A bar filled to failing/of; its width is set through the CSSOM, which the page's CSP allows (no inline style). */
function bar(failing, of) {
  const filled = h('span');
  filled.style.width = `${of > 0 ? Math.min(100, (100 * failing) / of) : 0}%`;
  return h('span', { class: 'bar', 'aria-hidden': 'true' }, filled);
}

function renderStuck() {
  const list = state.stuck.slice(0, STUCK_SHOWN);
  const target = $('stuck-list');
  if (!list.length) {
    fill(target, h('li', { class: 'empty' }, t('stuckEmpty')));
    return;
  }
  fill(
    target,
    list.map((item) => {
      const failing = Number(item.failing) || 0;
      const of = Number(item.of) || 0;
      return h(
        'li',
        {},
        h('span', { class: 'stuck-check' }, h('strong', {}, String(item.exercise ?? '')), ' · ', String(item.check ?? '')),
        bar(failing, of),
        h('span', { class: 'stuck-count' }, t('stuckItem', { failing, of })),
      );
    }),
  );
}

function renderStatus() {
  const indicator = $('connection');
  indicator.dataset.state = state.connection;
  fill(indicator, h('span', { class: 'dot', 'aria-hidden': 'true' }, state.connection === 'live' ? '●' : '○'), ' ', t(state.connection));
  fill($('class-code'), state.code ? t('classCode', { code: state.code }) : '');
  const problem = $('problem');
  problem.hidden = !state.problem;
  fill(problem, state.problem ? t(state.problem.key, state.problem.params) : '');
}

function render() {
  const all = [...state.rows.values()];
  const rows = sortRows(filterRows(all, state), state.sort, state.reverse, state.lang);
  grid.render({ rows, total: all.length, columns: columns(), view: state.view, t, lang: state.lang, now: Date.now() });
  renderStuck();
  renderStatus();
}

/** Every fixed text of the page (its data-i18n and data-i18n-ATTR attributes name a message), in the chosen language. */
function translatePage() {
  document.documentElement.lang = state.lang;
  document.title = t('title');
  for (const element of document.querySelectorAll('[data-i18n]')) fill(element, t(element.dataset.i18n));
  for (const element of document.querySelectorAll('*')) {
    for (const attribute of ['aria-label', 'title', 'placeholder']) {
      const key = element.getAttribute(`data-i18n-${attribute}`);
      if (key) element.setAttribute(attribute, t(key));
    }
  }
  const other = state.lang === 'fr' ? 'en' : 'fr';
  $('lang').setAttribute('lang', other);
  // The exports speak the page's language where they have words of their own (JUnit's expected / actual).
  for (const link of document.querySelectorAll('a[data-export]')) link.setAttribute('href', `${link.dataset.export}?lang=${state.lang}`);
}

function applyLargeType() {
  document.documentElement.classList.toggle('large', state.largeType);
  $('large').setAttribute('aria-pressed', String(state.largeType));
}

// --- controls --------------------------------------------------------------------------------------------

function wireControls() {
  // The filters apply as they are typed: Enter in the search field must not reload the page.
  document.querySelector('form.controls').addEventListener('submit', (event) => event.preventDefault());
  $('lang').addEventListener('click', () => {
    state.lang = state.lang === 'fr' ? 'en' : 'fr';
    state.langChosen = state.lang;
    save();
    translatePage();
    render();
    detail.rerender();
  });
  $('large').addEventListener('click', () => {
    state.largeType = !state.largeType;
    save();
    applyLargeType();
  });
  for (const radio of document.querySelectorAll('input[name="view"]')) {
    radio.checked = radio.value === state.view;
    radio.addEventListener('change', () => {
      state.view = radio.value;
      save();
      render();
    });
  }
  $('sort').value = state.sort;
  $('sort').addEventListener('change', () => {
    state.sort = $('sort').value;
    save();
    render();
  });
  $('reverse').addEventListener('change', () => {
    state.reverse = $('reverse').checked;
    render();
  });
  $('search').addEventListener('input', () => {
    state.query = $('search').value;
    render();
  });
  $('flagged').addEventListener('change', () => {
    state.onlyFlagged = $('flagged').checked;
    render();
  });
  $('below').addEventListener('input', () => {
    state.below = readBelow($('below').value);
    render();
  });
}

// --- start -----------------------------------------------------------------------------------------------

translatePage();
applyLargeType();
wireControls();
render();
void loadBoard();
connectEvents('/api/events', {
  onState(connection) {
    state.connection = connection;
    // Turning live follows a resync: draw the snapshot with the indicator, so "live" never sits over an old grid.
    if (connection === 'live') render();
    else renderStatus();
  },
  onOpen: () => loadBoard(),
  onStudent(row) {
    state.rows.set(row.name, row);
    eventsWhileLoading?.push(row);
    announce('announceOne', { name: row.name, percent: formatPercent(row.percent, state.lang) });
    detail.refresh(row.name);
    refreshStuckSoon();
    scheduleRender();
  },
  onReleased({ name }) {
    announce('announceReleased', { name });
  },
});
setInterval(render, CLOCK_MS);
