// What the classroom board and the student's tp7 agree on (tp7-board/1, README "The classroom board"): one place,
// read by `tp7 serve` (src/serve/) and by the student side (src/submit/).

/** The board's schema name, in GET /api/health and GET /api/board. */
export const BOARD_SCHEMA = 'tp7-board/1';
/** The largest body POST /api/submit takes: a report over it is refused (413), and never sent by tp7. */
export const REPORT_LIMIT_BYTES = 1024 * 1024;
/** The largest body POST /api/join takes. */
export const JOIN_LIMIT_BYTES = 4 * 1024;
