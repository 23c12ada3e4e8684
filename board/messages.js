// Every string the board shows, French first, English beside it: one table, one language at a time.
// `{name}` placeholders are filled by translate(); the values are inserted as text by the caller, never as HTML.

export const LANGUAGES = ['fr', 'en'];

export const MESSAGES = {
  fr: {
    title: 'Tableau de la classe — TP7',
    classCode: 'Code de la classe : {code}',
    live: 'en direct',
    connecting: 'connexion…',
    reconnecting: 'reconnexion…',
    unauthorized: 'Accès refusé : ouvrez l’adresse du tableau affichée par « tp7 serve » (avec ?key=…).',
    loadFailed: 'Le tableau ne répond pas ({status}). Nouvel essai dans quelques secondes.',
    language: 'English',
    languageLabel: 'Afficher le tableau en anglais',
    largeType: 'Grands caractères',
    view: 'Afficher',
    viewExercises: 'Exercices',
    viewSkills: 'Compétences',
    sort: 'Trier par',
    sortName: 'nom',
    sortScore: 'score',
    sortLastSeen: 'dernière activité',
    sortStuck: 'le plus bloqué',
    sortReverse: 'Ordre inverse',
    search: 'Chercher un nom',
    onlyFlagged: 'Signalés seulement',
    below: 'Sous (%)',
    belowHint: 'Seulement les scores sous ce pourcentage (vide : tous)',
    exports: 'Exporter :',
    exportCsv: 'CSV',
    exportJson: 'JSON',
    exportJunit: 'JUnit',
    skipToGrid: 'Aller à la grille',
    gridCaption: 'Progression des étudiants ({shown} sur {total})',
    gridHelp: 'Flèches pour se déplacer dans la grille, Entrée pour ouvrir le détail d’un étudiant, Échap pour le fermer.',
    student: 'Étudiant',
    score: 'Score',
    lastSeen: 'Vu',
    flags: 'Alertes',
    noStudents: 'Aucun étudiant pour l’instant. Ils apparaissent ici dès leur premier envoi.',
    noMatch: 'Aucun étudiant ne correspond aux filtres.',
    'status.pass': 'réussi',
    'status.partial': 'partiel',
    'status.fail': 'échoué',
    'status.none': 'pas encore',
    'status.pending': 'pas encore',
    'status.skip': 'non vérifié',
    'status.error': 'erreur',
    'flag.same-engine': 'même moteur',
    'flag.stale': 'rapport ancien',
    'flag.contradiction': 'incohérent',
    cellLabel: '{student}, {column} : {status}, {earned} sur {possible} points',
    skillCellLabel: '{student}, {column} : {status}',
    stuckTitle: 'Où la classe bloque',
    stuckEmpty: 'Aucune vérification en échec pour l’instant.',
    stuckItem: '{failing} sur {of} en échec',
    justNow: 'à l’instant',
    never: 'jamais',
    detailTitle: 'Détail de {name}',
    close: 'Fermer',
    detailScore: 'Score : {percent} % ({earned}/{possible})',
    detailLastSeen: 'Dernier envoi : {when}',
    detailSubmissions: 'Envois : {count}',
    detailFlags: 'Alertes',
    detailNoFlags: 'Aucune alerte.',
    detailGenerated: 'Rapport produit {when}',
    detailEngine: 'Moteur : {engine}',
    'store.classic': 'stockage classique',
    'store.containerd': 'stockage containerd',
    detailLoading: 'Chargement…',
    detailFailed: 'Détail indisponible ({status}).',
    detailNoChecks: 'Pas de vérification dans ce rapport.',
    expected: 'Attendu : {text}',
    actual: 'Trouvé : {text}',
    announceOne: '{name} : {percent} %',
    announceMany: '{count} étudiants mis à jour',
    announceReleased: 'Le nom {name} est libéré',
    points: '{earned}/{possible}',
    percent: '{percent} %',
  },
  en: {
    title: 'Class board — TP7',
    classCode: 'Class code: {code}',
    live: 'live',
    connecting: 'connecting…',
    reconnecting: 'reconnecting…',
    unauthorized: 'Access denied: open the board address printed by “tp7 serve” (with ?key=…).',
    loadFailed: 'The board does not answer ({status}). Trying again in a few seconds.',
    language: 'Français',
    languageLabel: 'Show the board in French',
    largeType: 'Large type',
    view: 'Show',
    viewExercises: 'Exercises',
    viewSkills: 'Skills',
    sort: 'Sort by',
    sortName: 'name',
    sortScore: 'score',
    sortLastSeen: 'last seen',
    sortStuck: 'most stuck',
    sortReverse: 'Reverse order',
    search: 'Search a name',
    onlyFlagged: 'Flagged only',
    below: 'Below (%)',
    belowHint: 'Only scores below this percentage (empty: all)',
    exports: 'Export:',
    exportCsv: 'CSV',
    exportJson: 'JSON',
    exportJunit: 'JUnit',
    skipToGrid: 'Skip to the grid',
    gridCaption: 'Student progress ({shown} of {total})',
    gridHelp: 'Arrow keys move through the grid, Enter opens a student’s detail, Escape closes it.',
    student: 'Student',
    score: 'Score',
    lastSeen: 'Seen',
    flags: 'Flags',
    noStudents: 'No student yet. They appear here with their first submission.',
    noMatch: 'No student matches the filters.',
    'status.pass': 'passed',
    'status.partial': 'partial',
    'status.fail': 'failed',
    'status.none': 'not yet',
    'status.pending': 'not yet',
    'status.skip': 'not checked',
    'status.error': 'error',
    'flag.same-engine': 'same engine',
    'flag.stale': 'stale report',
    'flag.contradiction': 'inconsistent',
    cellLabel: '{student}, {column}: {status}, {earned} of {possible} points',
    skillCellLabel: '{student}, {column}: {status}',
    stuckTitle: 'Where the room is stuck',
    stuckEmpty: 'No failing check yet.',
    stuckItem: '{failing} of {of} failing',
    justNow: 'just now',
    never: 'never',
    detailTitle: 'Detail of {name}',
    close: 'Close',
    detailScore: 'Score: {percent}% ({earned}/{possible})',
    detailLastSeen: 'Last submission: {when}',
    detailSubmissions: 'Submissions: {count}',
    detailFlags: 'Flags',
    detailNoFlags: 'No flag.',
    detailGenerated: 'Report made {when}',
    detailEngine: 'Engine: {engine}',
    'store.classic': 'classic image store',
    'store.containerd': 'containerd image store',
    detailLoading: 'Loading…',
    detailFailed: 'Detail unavailable ({status}).',
    detailNoChecks: 'No check in this report.',
    expected: 'Expected: {text}',
    actual: 'Found: {text}',
    announceOne: '{name}: {percent}%',
    announceMany: '{count} students updated',
    announceReleased: 'The name {name} is released',
    points: '{earned}/{possible}',
    percent: '{percent}%',
  },
};

/** The message `key` in `lang` with its `{placeholders}` filled; an unknown key shows itself, to be noticed. */
export function translate(lang, key, params = {}) {
  const table = MESSAGES[lang] ?? MESSAGES.en;
  const template = table[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/**
 * What the server says of the class's language, from the page's <html> (`tp7 serve` writes it there):
 * `data-class-lang` is its language, `data-class-lang-asked` whether `tp7 serve --lang` chose it.
 */
export function classLanguage(dataset) {
  const lang = LANGUAGES.includes(dataset?.classLang) ? dataset.classLang : undefined;
  return { lang, asked: lang !== undefined && dataset?.classLangAsked === 'true' };
}

/**
 * The page's language. What this browser's user chose first (`?lang=fr|en`, then the page's switch, saved), then
 * the class's language when `tp7 serve --lang` set it, then the browser's languages (French for any fr-*), then
 * the server's own (its TP7_LANG or LANG), and French, first language of the course, when nothing says.
 */
export function chooseLanguage(search, saved, navigatorLanguages, classLang = {}) {
  const asked = new URLSearchParams(search).get('lang');
  if (asked && LANGUAGES.includes(asked)) return asked;
  if (saved && LANGUAGES.includes(saved)) return saved;
  if (classLang.asked && LANGUAGES.includes(classLang.lang)) return classLang.lang;
  for (const tag of navigatorLanguages ?? []) {
    const base = String(tag).toLowerCase().split('-')[0];
    if (LANGUAGES.includes(base)) return base;
  }
  return LANGUAGES.includes(classLang.lang) ? classLang.lang : 'fr';
}
