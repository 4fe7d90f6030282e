//! Message catalogs: every UI string the widgets and the embed show (widget states, filter
//! controls, cross-filter chips, table paging, ARIA labels) in English, German, French, Spanish
//! and Japanese. The language follows the active locale ([`crate::locale`]); a key a catalog
//! lacks falls back to English, and the tests fail when any catalog lacks a key or changes its
//! placeholders, so a gap is caught before it ships.
//!
//! Placeholders are `{0}`, `{1}`…, filled by [`tf`]; the text is always inserted as text, never
//! HTML.
//!
//! ```
//! use vantage_widgets::messages::{text_in, Msg};
//! assert_eq!(text_in("de", Msg::Retry), "Erneut versuchen");
//! ```

/// One UI string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Msg {
    Loading,
    LoadingDashboard,
    NoData,
    NoRows,
    NoAlerts,
    Unsupported,
    Retry,
    Stale,
    StaleTitle,
    /// `{0}`: field names.
    NotFilteredBy,
    /// `{0}`: field names.
    NotFilteredByTitle,
    CrossFilters,
    FilteredBy,
    ClearAll,
    /// `{0}`: the chip's text.
    ClearCrossFilter,
    /// `{0}`: the widget title.
    SetByClick,
    PreviousPage,
    NextPage,
    /// `{0}`–`{1}`: the rows shown, `{2}`: the total.
    RowsRange,
    TimeRange,
    Custom,
    From,
    To,
    Apply,
    All,
    Search,
    /// `{0}`: the field's label.
    SearchField,
    ChooseFromAndTo,
    Live,
    Connecting,
    Reconnecting,
    Paused,
    Offline,
    Disconnected,
    /// `{0}`: the previous period's value.
    VsPreviousPeriod,
    /// `{0}`: the reason.
    CannotShowData,
    /// The page's loader could not fetch ECharts (the chart shows Retry).
    ChartLibraryDidNotLoad,
}

impl Msg {
    /// Every key, for the completeness tests.
    pub const ALL: [Msg; 37] = [
        Msg::Loading,
        Msg::LoadingDashboard,
        Msg::NoData,
        Msg::NoRows,
        Msg::NoAlerts,
        Msg::Unsupported,
        Msg::Retry,
        Msg::Stale,
        Msg::StaleTitle,
        Msg::NotFilteredBy,
        Msg::NotFilteredByTitle,
        Msg::CrossFilters,
        Msg::FilteredBy,
        Msg::ClearAll,
        Msg::ClearCrossFilter,
        Msg::SetByClick,
        Msg::PreviousPage,
        Msg::NextPage,
        Msg::RowsRange,
        Msg::TimeRange,
        Msg::Custom,
        Msg::From,
        Msg::To,
        Msg::Apply,
        Msg::All,
        Msg::Search,
        Msg::SearchField,
        Msg::ChooseFromAndTo,
        Msg::Live,
        Msg::Connecting,
        Msg::Reconnecting,
        Msg::Paused,
        Msg::Offline,
        Msg::Disconnected,
        Msg::VsPreviousPeriod,
        Msg::CannotShowData,
        Msg::ChartLibraryDidNotLoad,
    ];
}

/// One language's strings for keys of type `K` (the widgets' [`Msg`], or another crate's own
/// keys, e.g. the app's chrome, which uses the same machinery).
pub type Table<K> = &'static [(K, &'static str)];

type Catalog = Table<Msg>;

/// The catalogs by language subtag; the first is the fallback.
pub const CATALOGS: [(&str, Catalog); 5] =
    [("en", EN), ("de", DE), ("fr", FR), ("es", ES), ("ja", JA)];

const EN: Catalog = &[
    (Msg::Loading, "Loading…"),
    (Msg::LoadingDashboard, "Loading dashboard…"),
    (Msg::NoData, "No data for this period"),
    (Msg::NoRows, "No rows"),
    (Msg::NoAlerts, "No alerts"),
    (Msg::Unsupported, "Unsupported widget"),
    (Msg::Retry, "Retry"),
    (Msg::Stale, "stale"),
    (
        Msg::StaleTitle,
        "Live updates paused; showing the last data received",
    ),
    (Msg::NotFilteredBy, "not filtered by {0}"),
    (
        Msg::NotFilteredByTitle,
        "This widget's data has no field {0}, so the filter on it does not apply here",
    ),
    (Msg::CrossFilters, "Cross-filters"),
    (Msg::FilteredBy, "Filtered by"),
    (Msg::ClearAll, "Clear all"),
    (Msg::ClearCrossFilter, "Clear cross-filter {0}"),
    (Msg::SetByClick, "Set by a click on “{0}”"),
    (Msg::PreviousPage, "Previous page"),
    (Msg::NextPage, "Next page"),
    (Msg::RowsRange, "{0}–{1} of {2}"),
    (Msg::TimeRange, "Time range"),
    (Msg::Custom, "Custom"),
    (Msg::From, "From"),
    (Msg::To, "To"),
    (Msg::Apply, "Apply"),
    (Msg::All, "All"),
    (Msg::Search, "Search…"),
    (Msg::SearchField, "Search {0}"),
    (Msg::ChooseFromAndTo, "Choose both 'From' and 'To'"),
    (Msg::Live, "Live"),
    (Msg::Connecting, "Connecting…"),
    (Msg::Reconnecting, "Reconnecting…"),
    (Msg::Paused, "Paused"),
    (Msg::Offline, "Offline"),
    (Msg::Disconnected, "Disconnected"),
    (Msg::VsPreviousPeriod, "vs {0} previous period"),
    (Msg::CannotShowData, "cannot show this data: {0}"),
    (
        Msg::ChartLibraryDidNotLoad,
        "The chart library did not load. Check your connection and try again.",
    ),
];

const DE: Catalog = &[
    (Msg::Loading, "Wird geladen…"),
    (Msg::LoadingDashboard, "Dashboard wird geladen…"),
    (Msg::NoData, "Keine Daten für diesen Zeitraum"),
    (Msg::NoRows, "Keine Zeilen"),
    (Msg::NoAlerts, "Keine Alarme"),
    (Msg::Unsupported, "Nicht unterstütztes Widget"),
    (Msg::Retry, "Erneut versuchen"),
    (Msg::Stale, "veraltet"),
    (
        Msg::StaleTitle,
        "Live-Aktualisierung pausiert; es werden die zuletzt empfangenen Daten angezeigt",
    ),
    (Msg::NotFilteredBy, "nicht gefiltert nach {0}"),
    (
        Msg::NotFilteredByTitle,
        "Die Daten dieses Widgets haben kein Feld {0}, daher gilt der Filter darauf hier nicht",
    ),
    (Msg::CrossFilters, "Kreuzfilter"),
    (Msg::FilteredBy, "Gefiltert nach"),
    (Msg::ClearAll, "Alle entfernen"),
    (Msg::ClearCrossFilter, "Kreuzfilter {0} entfernen"),
    (Msg::SetByClick, "Gesetzt durch einen Klick auf „{0}“"),
    (Msg::PreviousPage, "Vorherige Seite"),
    (Msg::NextPage, "Nächste Seite"),
    (Msg::RowsRange, "{0}–{1} von {2}"),
    (Msg::TimeRange, "Zeitraum"),
    (Msg::Custom, "Benutzerdefiniert"),
    (Msg::From, "Von"),
    (Msg::To, "Bis"),
    (Msg::Apply, "Anwenden"),
    (Msg::All, "Alle"),
    (Msg::Search, "Suchen…"),
    (Msg::SearchField, "{0} durchsuchen"),
    (Msg::ChooseFromAndTo, "Bitte „Von“ und „Bis“ wählen"),
    (Msg::Live, "Live"),
    (Msg::Connecting, "Verbindung wird hergestellt…"),
    (Msg::Reconnecting, "Verbindung wird wiederhergestellt…"),
    (Msg::Paused, "Pausiert"),
    (Msg::Offline, "Offline"),
    (Msg::Disconnected, "Getrennt"),
    (Msg::VsPreviousPeriod, "gegenüber {0} im Vorzeitraum"),
    (
        Msg::CannotShowData,
        "Diese Daten können nicht angezeigt werden: {0}",
    ),
    (Msg::ChartLibraryDidNotLoad, "Die Diagrammbibliothek wurde nicht geladen. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut."),
];

const FR: Catalog = &[
    (Msg::Loading, "Chargement…"),
    (Msg::LoadingDashboard, "Chargement du tableau de bord…"),
    (Msg::NoData, "Aucune donnée pour cette période"),
    (Msg::NoRows, "Aucune ligne"),
    (Msg::NoAlerts, "Aucune alerte"),
    (Msg::Unsupported, "Widget non pris en charge"),
    (Msg::Retry, "Réessayer"),
    (Msg::Stale, "obsolète"),
    (Msg::StaleTitle, "Mises à jour en direct suspendues ; affichage des dernières données reçues"),
    (Msg::NotFilteredBy, "non filtré par {0}"),
    (Msg::NotFilteredByTitle, "Les données de ce widget n’ont pas de champ {0} : le filtre sur ce champ ne s’applique pas ici"),
    (Msg::CrossFilters, "Filtres croisés"),
    (Msg::FilteredBy, "Filtré par"),
    (Msg::ClearAll, "Tout effacer"),
    (Msg::ClearCrossFilter, "Effacer le filtre croisé {0}"),
    (Msg::SetByClick, "Défini par un clic sur « {0} »"),
    (Msg::PreviousPage, "Page précédente"),
    (Msg::NextPage, "Page suivante"),
    (Msg::RowsRange, "{0}–{1} sur {2}"),
    (Msg::TimeRange, "Période"),
    (Msg::Custom, "Personnalisée"),
    (Msg::From, "Du"),
    (Msg::To, "Au"),
    (Msg::Apply, "Appliquer"),
    (Msg::All, "Tous"),
    (Msg::Search, "Rechercher…"),
    (Msg::SearchField, "Rechercher dans {0}"),
    (Msg::ChooseFromAndTo, "Choisissez « Du » et « Au »"),
    (Msg::Live, "En direct"),
    (Msg::Connecting, "Connexion…"),
    (Msg::Reconnecting, "Reconnexion…"),
    (Msg::Paused, "En pause"),
    (Msg::Offline, "Hors ligne"),
    (Msg::Disconnected, "Déconnecté"),
    (Msg::VsPreviousPeriod, "contre {0} sur la période précédente"),
    (Msg::CannotShowData, "impossible d’afficher ces données : {0}"),
    (Msg::ChartLibraryDidNotLoad, "La bibliothèque de graphiques n’a pas pu être chargée. Vérifiez votre connexion et réessayez."),
];

const ES: Catalog = &[
    (Msg::Loading, "Cargando…"),
    (Msg::LoadingDashboard, "Cargando el panel…"),
    (Msg::NoData, "No hay datos para este periodo"),
    (Msg::NoRows, "Sin filas"),
    (Msg::NoAlerts, "Sin alertas"),
    (Msg::Unsupported, "Widget no compatible"),
    (Msg::Retry, "Reintentar"),
    (Msg::Stale, "desactualizado"),
    (
        Msg::StaleTitle,
        "Actualizaciones en vivo en pausa; se muestran los últimos datos recibidos",
    ),
    (Msg::NotFilteredBy, "sin filtrar por {0}"),
    (
        Msg::NotFilteredByTitle,
        "Los datos de este widget no tienen el campo {0}, así que su filtro no se aplica aquí",
    ),
    (Msg::CrossFilters, "Filtros cruzados"),
    (Msg::FilteredBy, "Filtrado por"),
    (Msg::ClearAll, "Borrar todo"),
    (Msg::ClearCrossFilter, "Quitar el filtro cruzado {0}"),
    (Msg::SetByClick, "Establecido al hacer clic en «{0}»"),
    (Msg::PreviousPage, "Página anterior"),
    (Msg::NextPage, "Página siguiente"),
    (Msg::RowsRange, "{0}–{1} de {2}"),
    (Msg::TimeRange, "Intervalo de tiempo"),
    (Msg::Custom, "Personalizado"),
    (Msg::From, "Desde"),
    (Msg::To, "Hasta"),
    (Msg::Apply, "Aplicar"),
    (Msg::All, "Todos"),
    (Msg::Search, "Buscar…"),
    (Msg::SearchField, "Buscar en {0}"),
    (Msg::ChooseFromAndTo, "Elija «Desde» y «Hasta»"),
    (Msg::Live, "En vivo"),
    (Msg::Connecting, "Conectando…"),
    (Msg::Reconnecting, "Reconectando…"),
    (Msg::Paused, "En pausa"),
    (Msg::Offline, "Sin conexión"),
    (Msg::Disconnected, "Desconectado"),
    (Msg::VsPreviousPeriod, "frente a {0} en el periodo anterior"),
    (Msg::CannotShowData, "no se pueden mostrar estos datos: {0}"),
    (
        Msg::ChartLibraryDidNotLoad,
        "La biblioteca de gráficos no se cargó. Comprueba tu conexión e inténtalo de nuevo.",
    ),
];

const JA: Catalog = &[
    (Msg::Loading, "読み込み中…"),
    (Msg::LoadingDashboard, "ダッシュボードを読み込み中…"),
    (Msg::NoData, "この期間のデータはありません"),
    (Msg::NoRows, "行がありません"),
    (Msg::NoAlerts, "アラートはありません"),
    (Msg::Unsupported, "サポートされていないウィジェット"),
    (Msg::Retry, "再試行"),
    (Msg::Stale, "更新停止中"),
    (Msg::StaleTitle, "ライブ更新は一時停止中です。最後に受信したデータを表示しています"),
    (Msg::NotFilteredBy, "{0} で絞り込まれていません"),
    (Msg::NotFilteredByTitle, "このウィジェットのデータには {0} フィールドがないため、そのフィルターはここでは適用されません"),
    (Msg::CrossFilters, "クロスフィルター"),
    (Msg::FilteredBy, "絞り込み条件"),
    (Msg::ClearAll, "すべて解除"),
    (Msg::ClearCrossFilter, "クロスフィルター {0} を解除"),
    (Msg::SetByClick, "「{0}」のクリックで設定"),
    (Msg::PreviousPage, "前のページ"),
    (Msg::NextPage, "次のページ"),
    (Msg::RowsRange, "{2} 件中 {0}–{1}"),
    (Msg::TimeRange, "期間"),
    (Msg::Custom, "カスタム"),
    (Msg::From, "開始"),
    (Msg::To, "終了"),
    (Msg::Apply, "適用"),
    (Msg::All, "すべて"),
    (Msg::Search, "検索…"),
    (Msg::SearchField, "{0} を検索"),
    (Msg::ChooseFromAndTo, "「開始」と「終了」の両方を選択してください"),
    (Msg::Live, "ライブ"),
    (Msg::Connecting, "接続中…"),
    (Msg::Reconnecting, "再接続中…"),
    (Msg::Paused, "一時停止"),
    (Msg::Offline, "オフライン"),
    (Msg::Disconnected, "切断"),
    (Msg::VsPreviousPeriod, "前期間 {0}"),
    (Msg::CannotShowData, "このデータは表示できません: {0}"),
    (Msg::ChartLibraryDidNotLoad, "グラフライブラリを読み込めませんでした。接続を確認して、もう一度お試しください。"),
];

/// The catalog language for a BCP 47 tag: its language subtag when a catalog exists
/// (`de-AT` → `de`), else `en`.
pub fn catalog_language(tag: &str) -> &'static str {
    let primary = tag.split(['-', '_']).next().unwrap_or("");
    CATALOGS
        .iter()
        .find(|(lang, _)| lang.eq_ignore_ascii_case(primary))
        .map_or(CATALOGS[0].0, |(lang, _)| lang)
}

fn lookup<K: PartialEq>(catalog: Table<K>, key: K) -> Option<&'static str> {
    catalog
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, text)| *text)
}

/// `key` in catalog language `lang` from `catalogs`, whose first entry is the fallback.
pub fn text_from<K: PartialEq + Copy>(
    catalogs: &[(&'static str, Table<K>)],
    lang: &str,
    key: K,
) -> &'static str {
    catalogs
        .iter()
        .find(|(l, _)| *l == lang)
        .and_then(|(_, catalog)| lookup(catalog, key))
        .or_else(|| catalogs.first().and_then(|(_, c)| lookup(c, key)))
        .unwrap_or("")
}

/// `msg` in catalog language `lang` (English when the language or the key is missing).
pub fn text_in(lang: &str, msg: Msg) -> &'static str {
    text_from(&CATALOGS, lang, msg)
}

/// What is wrong with a set of catalogs, for tests: every language must have every key of
/// `all` exactly once, non-blank, with the placeholders (`{0}`…) of the first (fallback)
/// language, and no key outside `all`. Empty when all is well.
pub fn catalog_problems<K: PartialEq + Copy + std::fmt::Debug>(
    catalogs: &[(&'static str, Table<K>)],
    all: &[K],
) -> Vec<String> {
    let placeholders = |text: &str| -> Vec<usize> {
        (0..10)
            .filter(|i| text.contains(&format!("{{{i}}}")))
            .collect()
    };
    let mut problems = Vec::new();
    for (lang, catalog) in catalogs {
        for key in all {
            let entries: Vec<_> = catalog.iter().filter(|(k, _)| k == key).collect();
            match entries.as_slice() {
                [(_, text)] if text.trim().is_empty() => {
                    problems.push(format!("{lang}: {key:?} is blank"));
                }
                [(_, text)] => {
                    let fallback = text_from(catalogs, "", *key);
                    if placeholders(text) != placeholders(fallback) {
                        problems.push(format!(
                            "{lang}: {key:?} = {text:?} has other placeholders than {fallback:?}"
                        ));
                    }
                }
                _ => problems.push(format!(
                    "{lang}: {key:?} appears {} times (exactly once expected)",
                    entries.len()
                )),
            }
        }
        for (key, _) in catalog.iter() {
            if !all.contains(key) {
                problems.push(format!("{lang}: {key:?} is not a listed key"));
            }
        }
    }
    problems
}

/// `msg` in the active locale's language. Call inside a reactive closure that also calls
/// [`crate::locale::track`] to follow `setLocale()`.
pub fn t(msg: Msg) -> &'static str {
    text_in(crate::locale::language(), msg)
}

/// `msg` in the active language with `{0}`, `{1}`… replaced by `args`.
pub fn tf(msg: Msg, args: &[&str]) -> String {
    fill(t(msg), args)
}

/// Replaces `{0}`, `{1}`… in `template` by `args`.
pub fn fill(template: &str, args: &[&str]) -> String {
    args.iter()
        .enumerate()
        .fold(template.to_owned(), |text, (i, arg)| {
            text.replace(&format!("{{{i}}}"), arg)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalog_has_every_key_once_nonblank_with_the_english_placeholders() {
        let problems = catalog_problems(&CATALOGS, &Msg::ALL);
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn the_catalog_check_finds_gaps() {
        const EN: Table<Msg> = &[(Msg::Retry, "Retry"), (Msg::RowsRange, "{0}–{1} of {2}")];
        const XX: Table<Msg> = &[(Msg::RowsRange, "{0} of {2}"), (Msg::Live, "")];
        let problems = catalog_problems(&[("en", EN), ("xx", XX)], &[Msg::Retry, Msg::RowsRange]);
        assert_eq!(problems.len(), 3, "{problems:#?}");
        assert!(problems[0].contains("Retry appears 0 times"));
        assert!(problems[1].contains("other placeholders"));
        assert!(problems[2].contains("Live is not a listed key"));
    }

    #[test]
    fn languages_come_from_the_tag_and_fall_back_to_english() {
        assert_eq!(catalog_language("de-DE"), "de");
        assert_eq!(catalog_language("fr_CA"), "fr");
        assert_eq!(catalog_language("JA"), "ja");
        assert_eq!(catalog_language("pt-BR"), "en");
        assert_eq!(catalog_language(""), "en");
        assert_eq!(text_in("pt", Msg::Retry), "Retry");
        assert_eq!(text_in("ja", Msg::Retry), "再試行");
        assert_eq!(
            fill(text_in("ja", Msg::RowsRange), &["1", "25", "1,000"]),
            "1,000 件中 1–25"
        );
        assert_eq!(
            fill(text_in("de", Msg::NotFilteredBy), &["<b>region</b>"]),
            "nicht gefiltert nach <b>region</b>",
            "arguments are inserted verbatim; views render them as text"
        );
    }
}
