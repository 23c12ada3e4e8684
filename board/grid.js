// The students × exercises (or skills) grid: an ARIA grid with one tab stop. Arrow keys, Home/End and
// Ctrl+Home/End move between cells; Enter or Space opens the student's detail; a click does the same.

import { fill, h, studentName } from './dom.js';
import { STATUS_SYMBOL, cellStatus, formatPercent, relativeTime } from './view.js';

export function createGrid(table, { onOpen }) {
  const caption = h('caption');
  const head = h('thead');
  const body = h('tbody');
  table.setAttribute('role', 'grid');
  fill(table, caption, head, body);

  // The cell that holds the tab stop, remembered by student and column so it survives re-renders and re-sorts.
  let active = { name: null, column: 0 };

  function cells() {
    return [...body.querySelectorAll('tr')].map((row) => [...row.querySelectorAll('[data-column]')]);
  }

  function locate(cell) {
    const row = cell.closest('tr');
    return { name: row?.dataset.name ?? null, column: Number(cell.dataset.column) };
  }

  function focusCell(cell, moveFocus) {
    for (const other of body.querySelectorAll('[tabindex="0"]')) other.setAttribute('tabindex', '-1');
    cell.setAttribute('tabindex', '0');
    active = locate(cell);
    if (moveFocus) cell.focus();
  }

  function move(event) {
    const grid = cells();
    const cell = event.target.closest('[data-column]');
    if (!cell || !grid.length) return;
    let y = grid.findIndex((row) => row.includes(cell));
    let x = grid[y]?.indexOf(cell) ?? 0;
    const last = grid[0].length - 1;
    const keys = {
      ArrowRight: () => (x = Math.min(x + 1, last)),
      ArrowLeft: () => (x = Math.max(x - 1, 0)),
      ArrowDown: () => (y = Math.min(y + 1, grid.length - 1)),
      ArrowUp: () => (y = Math.max(y - 1, 0)),
      PageDown: () => (y = Math.min(y + 10, grid.length - 1)),
      PageUp: () => (y = Math.max(y - 10, 0)),
      Home: () => {
        x = 0;
        if (event.ctrlKey) y = 0;
      },
      End: () => {
        x = last;
        if (event.ctrlKey) y = grid.length - 1;
      },
    };
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      const { name, column } = locate(cell);
      if (name !== null) onOpen(name, cell.dataset.exercise ?? null, column);
      return;
    }
    const step = keys[event.key];
    if (!step) return;
    event.preventDefault();
    step();
    const target = grid[y]?.[x];
    if (target) focusCell(target, true);
  }

  body.addEventListener('keydown', move);
  body.addEventListener('click', (event) => {
    const cell = event.target.closest('[data-column]');
    if (!cell) return;
    focusCell(cell, true);
    const { name } = locate(cell);
    if (name !== null) onOpen(name, cell.dataset.exercise ?? null);
  });

  function header(model) {
    const { t, columns } = model;
    return h(
      'tr',
      {},
      h('th', { scope: 'col', class: 'col-name' }, t('student')),
      columns.map((column) => h('th', { scope: 'col', class: 'col-status', title: column.title ?? null }, column.id)),
      h('th', { scope: 'col', class: 'col-score' }, t('score')),
      h('th', { scope: 'col', class: 'col-seen' }, t('lastSeen')),
      h('th', { scope: 'col', class: 'col-flags' }, t('flags')),
    );
  }

  function statusCell(model, row, column, index) {
    const { t } = model;
    if (model.view === 'skills') {
      const status = cellStatus(row.skills?.[column.id]);
      const label = t('skillCellLabel', { student: row.name, column: column.id, status: t(`status.${status}`) });
      return h(
        'td',
        { class: ['cell', `status-${status}`], 'data-column': index, tabindex: -1, 'aria-label': label },
        h('span', { class: 'symbol', 'aria-hidden': 'true' }, STATUS_SYMBOL[status]),
        h('span', { class: 'word', 'aria-hidden': 'true' }, t(`status.${status}`)),
      );
    }
    const exercise = row.exercises?.[column.id] ?? { earned: 0, possible: 0, status: 'none' };
    const status = cellStatus(exercise.status);
    const figures = { earned: exercise.earned ?? 0, possible: exercise.possible ?? 0 };
    const label = t('cellLabel', { student: row.name, column: column.id, status: t(`status.${status}`), ...figures });
    return h(
      'td',
      { class: ['cell', `status-${status}`], 'data-column': index, 'data-exercise': column.id, tabindex: -1, 'aria-label': label },
      h('span', { class: 'symbol', 'aria-hidden': 'true' }, STATUS_SYMBOL[status]),
      h('span', { class: 'points', 'aria-hidden': 'true' }, status === 'none' ? '' : t('points', figures)),
    );
  }

  // Rows drawn before, reused while the student's row object and everything shown in it are unchanged: a busy room
  // sends many events a second, and each changes one row.
  const drawn = new Map();

  function cachedRow(model, row, signature) {
    const seen = relativeTime(row.lastSeen, model.now, model.lang, { justNow: model.t('justNow'), never: model.t('never') });
    const key = `${signature}|${seen}`;
    const known = drawn.get(row.name);
    if (known && known.row === row && known.key === key) return known;
    return { row, key, element: studentRow(model, row, seen) };
  }

  function studentRow(model, row, seen) {
    const { t, lang } = model;
    const after = model.columns.length + 1;
    return h(
      'tr',
      { 'data-name': row.name, class: (row.flags ?? []).length ? 'flagged' : null },
      h('th', { scope: 'row', class: 'col-name', 'data-column': 0, tabindex: -1, title: row.name }, studentName(row.name)),
      model.columns.map((column, index) => statusCell(model, row, column, index + 1)),
      h('td', { class: 'col-score', 'data-column': after, tabindex: -1 }, t('percent', { percent: formatPercent(row.percent, lang) })),
      h(
        'td',
        { class: 'col-seen', 'data-column': after + 1, tabindex: -1, title: row.lastSeen ?? null },
        h('time', { datetime: row.lastSeen ?? null }, seen),
      ),
      h(
        'td',
        { class: 'col-flags', 'data-column': after + 2, tabindex: -1 },
        (row.flags ?? []).map((flag) => h('span', { class: ['badge', `flag-${flag.kind}`], title: flag.detail?.[lang] ?? null }, '⚑ ', t(`flag.${flag.kind}`))),
      ),
    );
  }

  function render(model) {
    const hadFocus = table.contains(document.activeElement);
    fill(caption, model.t('gridCaption', { shown: model.rows.length, total: model.total }));
    fill(head, header(model));
    if (!model.rows.length) {
      const empty = model.total ? model.t('noMatch') : model.t('noStudents');
      fill(body, h('tr', {}, h('td', { class: 'empty', colspan: model.columns.length + 4 }, empty)));
      return;
    }
    const signature = [model.lang, model.view, ...model.columns.map((column) => column.id)].join('|');
    const rows = model.rows.map((row) => cachedRow(model, row, signature));
    for (const entry of rows) drawn.set(entry.row.name, entry); // kept across filters: clearing one redraws nothing
    fill(body, rows.map((entry) => entry.element));
    const grid = cells();
    const y = Math.max(0, model.rows.findIndex((row) => row.name === active.name));
    const x = Math.min(active.column, grid[0].length - 1);
    const target = grid[y][x];
    focusCell(target, hadFocus);
  }

  return { render };
}
