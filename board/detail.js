// A student's detail: every check of the last report with its status and message, last seen, submissions and
// flags, in a modal <dialog> (Escape closes it; focus goes back to the grid).

import { fill, h, studentName } from './dom.js';
import { STATUS_SYMBOL, cellStatus, checkStatus, formatPercent, orderedExercises, relativeTime } from './view.js';

/** context: t(key, params), lang(), now(), exercises() (course order), load(name) → { row, report } or throws. */
export function createDetail(dialog, context, { onClose }) {
  let current = null; // { name, exercise, data, error }

  dialog.addEventListener('close', () => {
    current = null;
    onClose();
  });

  function closeButton() {
    return h('button', { type: 'button', class: 'close', on: { click: () => dialog.close() } }, context.t('close'));
  }

  function summary(row, report) {
    const { t } = context;
    const lang = context.lang();
    const when = (iso) => relativeTime(iso, context.now(), lang, { justNow: t('justNow'), never: t('never') });
    return h(
      'ul',
      { class: 'summary' },
      h('li', {}, t('detailScore', { percent: formatPercent(row.percent, lang), earned: row.earned, possible: row.possible })),
      h('li', {}, t('detailLastSeen', { when: when(row.lastSeen) })),
      h('li', {}, t('detailSubmissions', { count: row.submissions ?? 0 })),
      report?.generatedAt ? h('li', {}, t('detailGenerated', { when: when(report.generatedAt) })) : null,
      report?.engine ? h('li', {}, engineLine(report.engine)) : null,
    );
  }

  /** Where the student's checks ran: Docker's version, its API, its image store and its platform. */
  function engineLine(engine) {
    const { t } = context;
    const store = engine.store === 'containerd' || engine.store === 'classic' ? t(`store.${engine.store}`) : null;
    const parts = [`Docker ${String(engine.version ?? '?')}`, `API ${String(engine.apiVersion ?? '?')}`, store, engine.platform ? String(engine.platform) : null];
    return t('detailEngine', { engine: parts.filter(Boolean).join(', ') });
  }

  function flags(row) {
    const { t } = context;
    const list = row.flags ?? [];
    return h(
      'section',
      { class: 'flags' },
      h('h3', {}, t('detailFlags')),
      list.length
        ? h(
            'ul',
            {},
            list.map((flag) =>
              h('li', {}, h('span', { class: ['badge', `flag-${flag.kind}`] }, '⚑ ', t(`flag.${flag.kind}`)), ' ', flag.detail?.[context.lang()] ?? ''),
            ),
          )
        : h('p', {}, t('detailNoFlags')),
    );
  }

  function checkRow(check) {
    const { t } = context;
    const status = checkStatus(check.status);
    return h(
      'li',
      { class: ['check', `status-${status}`] },
      h('span', { class: 'symbol', 'aria-hidden': 'true' }, STATUS_SYMBOL[status]),
      h(
        'div',
        { class: 'check-text' },
        h('p', { class: 'check-title' }, h('strong', {}, `${t(`status.${status}`)} — `), String(check.title ?? check.id ?? '')),
        check.message ? h('p', { class: 'check-message' }, String(check.message)) : null,
        status !== 'pass' && check.expected ? h('p', { class: 'check-extra' }, t('expected', { text: String(check.expected) })) : null,
        status !== 'pass' && check.actual ? h('p', { class: 'check-extra' }, t('actual', { text: String(check.actual) })) : null,
      ),
    );
  }

  function exercises(row, report) {
    const { t } = context;
    const list = orderedExercises(report, context.exercises());
    if (!list.length) return h('p', {}, t('detailNoChecks'));
    return list.map((exercise) => {
      const status = cellStatus(row.exercises?.[exercise.id]?.status);
      return h(
        'section',
        { class: 'exercise', 'data-exercise': exercise.id },
        h(
          'h3',
          {},
          h('span', { class: ['symbol', `status-${status}`], 'aria-hidden': 'true' }, STATUS_SYMBOL[status]),
          ` ${exercise.id} — ${String(exercise.title ?? '')} `,
          h('span', { class: 'points' }, `(${t('points', { earned: exercise.earned ?? 0, possible: exercise.possible ?? 0 })}, ${t(`status.${status}`)})`),
        ),
        h('ul', { class: 'checks' }, (exercise.checks ?? []).map(checkRow)),
      );
    });
  }

  function render() {
    if (!current) return;
    const hadFocus = dialog.contains(document.activeElement);
    const scroll = dialog.scrollTop;
    draw();
    dialog.scrollTop = scroll;
    if (hadFocus) dialog.querySelector('button.close')?.focus();
  }

  function draw() {
    const { t } = context;
    const heading = h('h2', { id: 'detail-title' }, studentName(current.name));
    if (current.error) {
      fill(dialog, h('header', {}, heading, closeButton()), h('p', { role: 'alert' }, t('detailFailed', { status: current.error })));
      return;
    }
    if (!current.data) {
      fill(dialog, h('header', {}, heading, closeButton()), h('p', {}, t('detailLoading')));
      return;
    }
    const { row, report } = current.data;
    fill(dialog, h('header', {}, heading, closeButton()), summary(row, report), flags(row), h('div', { class: 'exercises' }, exercises(row, report)));
  }

  async function load() {
    const name = current?.name;
    try {
      const data = await context.load(name);
      if (current?.name !== name) return;
      current.data = data;
      current.error = null;
    } catch (error) {
      if (current?.name !== name) return;
      current.error = error?.status ?? error?.message ?? String(error);
    }
    render();
  }

  return {
    /** Opens the detail of `name`, scrolled to `exercise` when the instructor came from that column. */
    async open(name, exercise) {
      current = { name, exercise, data: null, error: null };
      dialog.setAttribute('aria-labelledby', 'detail-title');
      render();
      if (!dialog.open) dialog.showModal();
      dialog.querySelector('button.close')?.focus();
      await load();
      if (current?.name === name && exercise) dialog.querySelector(`section[data-exercise="${CSS.escape(exercise)}"]`)?.scrollIntoView({ block: 'start' });
    },
    /** A newer submission or flag of the student on screen: fetch again, keeping the scroll position. */
    refresh(name) {
      if (current?.name === name) void load();
    },
    /** Language change. */
    rerender() {
      if (current) render();
    },
    openName: () => current?.name ?? null,
  };
}
