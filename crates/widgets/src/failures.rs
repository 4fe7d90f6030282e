//! What a failed request means to a person, in the viewer's language: one headline per stable
//! error code (the contract's codes and the SDK's own, as `VantageError.code` names them). The
//! SDK's `user_message` puts the headline in front of the backend's own detail, so a German
//! viewer reads "Keine Berechtigung — …" whichever backend answered, and nothing the backend
//! said is lost.
//!
//! ```
//! use vantage_widgets::failures::headline_in;
//! assert_eq!(headline_in("de", "forbidden"), Some("Keine Berechtigung"));
//! assert_eq!(headline_in("en", "config"), None); // a host developer's mistake: no headline
//! ```

use crate::messages::{text_from, Table};

/// A kind of failure a viewer can meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    Network,
    Timeout,
    AuthExpired,
    UnexpectedAnswer,
    BadRequest,
    Unauthenticated,
    Forbidden,
    NotFound,
    LockedFilterUnsupported,
    Conflict,
    TooLarge,
    Invalid,
    RateLimited,
    Internal,
    Unavailable,
    UnsupportedVersion,
}

impl Failure {
    /// Every key, for the completeness test.
    pub const ALL: [Failure; 16] = [
        Failure::Network,
        Failure::Timeout,
        Failure::AuthExpired,
        Failure::UnexpectedAnswer,
        Failure::BadRequest,
        Failure::Unauthenticated,
        Failure::Forbidden,
        Failure::NotFound,
        Failure::LockedFilterUnsupported,
        Failure::Conflict,
        Failure::TooLarge,
        Failure::Invalid,
        Failure::RateLimited,
        Failure::Internal,
        Failure::Unavailable,
        Failure::UnsupportedVersion,
    ];

    /// The failure an error code (`VantageError.code`) stands for; `None` for codes that are a
    /// host developer's mistake (`config`, `destroyed`…) and keep their precise English text.
    pub fn of_code(code: &str) -> Option<Failure> {
        Some(match code {
            "network" => Failure::Network,
            "timeout" => Failure::Timeout,
            "authExpired" => Failure::AuthExpired,
            "http" | "decode" => Failure::UnexpectedAnswer,
            "bad_request" => Failure::BadRequest,
            "unauthenticated" => Failure::Unauthenticated,
            "forbidden" => Failure::Forbidden,
            "not_found" => Failure::NotFound,
            "locked_filter_unsupported" => Failure::LockedFilterUnsupported,
            "conflict" => Failure::Conflict,
            "payload_too_large" => Failure::TooLarge,
            "validation_failed" => Failure::Invalid,
            "rate_limited" => Failure::RateLimited,
            "internal" => Failure::Internal,
            "unavailable" => Failure::Unavailable,
            "unsupported_version" => Failure::UnsupportedVersion,
            _ => return None,
        })
    }
}

/// The catalogs by language subtag; English first (the fallback).
pub const CATALOGS: [(&str, Table<Failure>); 5] =
    [("en", EN), ("de", DE), ("fr", FR), ("es", ES), ("ja", JA)];

/// The headline for error `code` in catalog language `lang`, when the code has one.
pub fn headline_in(lang: &str, code: &str) -> Option<&'static str> {
    Failure::of_code(code).map(|f| text_from(&CATALOGS, lang, f))
}

/// The headline for error `code` in the active locale's language.
pub fn headline(code: &str) -> Option<&'static str> {
    headline_in(crate::locale::language(), code)
}

const EN: Table<Failure> = &[
    (Failure::Network, "The server cannot be reached"),
    (Failure::Timeout, "The server did not answer in time"),
    (Failure::AuthExpired, "Your session has expired"),
    (
        Failure::UnexpectedAnswer,
        "The server gave an unexpected answer",
    ),
    (Failure::BadRequest, "The request was not understood"),
    (Failure::Unauthenticated, "Please sign in again"),
    (Failure::Forbidden, "Not allowed"),
    (Failure::NotFound, "Not found"),
    (
        Failure::LockedFilterUnsupported,
        "This widget cannot be shown with the locked filters",
    ),
    (
        Failure::Conflict,
        "Changed meanwhile — reload and try again",
    ),
    (Failure::TooLarge, "Too much data in one request"),
    (Failure::Invalid, "Please check your input"),
    (Failure::RateLimited, "Too many requests — wait a moment"),
    (Failure::Internal, "The server failed"),
    (Failure::Unavailable, "The service is unavailable right now"),
    (
        Failure::UnsupportedVersion,
        "This version is not supported by the server",
    ),
];

const DE: Table<Failure> = &[
    (Failure::Network, "Der Server ist nicht erreichbar"),
    (
        Failure::Timeout,
        "Der Server hat nicht rechtzeitig geantwortet",
    ),
    (Failure::AuthExpired, "Ihre Sitzung ist abgelaufen"),
    (
        Failure::UnexpectedAnswer,
        "Der Server hat unerwartet geantwortet",
    ),
    (Failure::BadRequest, "Die Anfrage wurde nicht verstanden"),
    (Failure::Unauthenticated, "Bitte melden Sie sich erneut an"),
    (Failure::Forbidden, "Keine Berechtigung"),
    (Failure::NotFound, "Nicht gefunden"),
    (
        Failure::LockedFilterUnsupported,
        "Dieses Widget kann mit den gesperrten Filtern nicht angezeigt werden",
    ),
    (
        Failure::Conflict,
        "Inzwischen geändert — bitte neu laden und erneut versuchen",
    ),
    (Failure::TooLarge, "Zu viele Daten in einer Anfrage"),
    (Failure::Invalid, "Bitte prüfen Sie Ihre Eingabe"),
    (
        Failure::RateLimited,
        "Zu viele Anfragen — bitte warten Sie einen Moment",
    ),
    (Failure::Internal, "Fehler auf dem Server"),
    (
        Failure::Unavailable,
        "Der Dienst ist gerade nicht verfügbar",
    ),
    (
        Failure::UnsupportedVersion,
        "Diese Version wird vom Server nicht unterstützt",
    ),
];

const FR: Table<Failure> = &[
    (Failure::Network, "Le serveur est injoignable"),
    (Failure::Timeout, "Le serveur n’a pas répondu à temps"),
    (Failure::AuthExpired, "Votre session a expiré"),
    (
        Failure::UnexpectedAnswer,
        "Le serveur a donné une réponse inattendue",
    ),
    (Failure::BadRequest, "La requête n’a pas été comprise"),
    (Failure::Unauthenticated, "Veuillez vous reconnecter"),
    (Failure::Forbidden, "Action non autorisée"),
    (Failure::NotFound, "Introuvable"),
    (
        Failure::LockedFilterUnsupported,
        "Ce widget ne peut pas être affiché avec les filtres verrouillés",
    ),
    (
        Failure::Conflict,
        "Modifié entre-temps — rechargez et réessayez",
    ),
    (Failure::TooLarge, "Trop de données dans une seule requête"),
    (Failure::Invalid, "Veuillez vérifier votre saisie"),
    (
        Failure::RateLimited,
        "Trop de requêtes — patientez un instant",
    ),
    (Failure::Internal, "Erreur du serveur"),
    (
        Failure::Unavailable,
        "Le service est momentanément indisponible",
    ),
    (
        Failure::UnsupportedVersion,
        "Cette version n’est pas prise en charge par le serveur",
    ),
];

const ES: Table<Failure> = &[
    (Failure::Network, "No se puede conectar con el servidor"),
    (Failure::Timeout, "El servidor no respondió a tiempo"),
    (Failure::AuthExpired, "Su sesión ha caducado"),
    (
        Failure::UnexpectedAnswer,
        "El servidor dio una respuesta inesperada",
    ),
    (Failure::BadRequest, "No se entendió la solicitud"),
    (Failure::Unauthenticated, "Vuelva a iniciar sesión"),
    (Failure::Forbidden, "No permitido"),
    (Failure::NotFound, "No encontrado"),
    (
        Failure::LockedFilterUnsupported,
        "Este widget no se puede mostrar con los filtros bloqueados",
    ),
    (
        Failure::Conflict,
        "Se modificó mientras tanto: recargue e inténtelo de nuevo",
    ),
    (Failure::TooLarge, "Demasiados datos en una sola solicitud"),
    (Failure::Invalid, "Revise los datos introducidos"),
    (
        Failure::RateLimited,
        "Demasiadas solicitudes: espere un momento",
    ),
    (Failure::Internal, "Error del servidor"),
    (
        Failure::Unavailable,
        "El servicio no está disponible en este momento",
    ),
    (
        Failure::UnsupportedVersion,
        "El servidor no admite esta versión",
    ),
];

const JA: Table<Failure> = &[
    (Failure::Network, "サーバーに接続できません"),
    (Failure::Timeout, "サーバーが時間内に応答しませんでした"),
    (Failure::AuthExpired, "セッションの有効期限が切れました"),
    (
        Failure::UnexpectedAnswer,
        "サーバーから予期しない応答がありました",
    ),
    (Failure::BadRequest, "リクエストを処理できませんでした"),
    (Failure::Unauthenticated, "もう一度サインインしてください"),
    (Failure::Forbidden, "権限がありません"),
    (Failure::NotFound, "見つかりません"),
    (
        Failure::LockedFilterUnsupported,
        "固定されたフィルターではこのウィジェットを表示できません",
    ),
    (
        Failure::Conflict,
        "他で変更されました。再読み込みしてやり直してください",
    ),
    (Failure::TooLarge, "1 回のリクエストのデータが多すぎます"),
    (Failure::Invalid, "入力内容を確認してください"),
    (
        Failure::RateLimited,
        "リクエストが多すぎます。しばらくお待ちください",
    ),
    (Failure::Internal, "サーバーでエラーが発生しました"),
    (Failure::Unavailable, "現在サービスを利用できません"),
    (
        Failure::UnsupportedVersion,
        "このバージョンはサーバーでサポートされていません",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::catalog_problems;

    #[test]
    fn every_catalog_has_every_failure_once() {
        let problems = catalog_problems(&CATALOGS, &Failure::ALL);
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn every_failure_has_a_code() {
        let codes = [
            "network",
            "timeout",
            "authExpired",
            "decode",
            "bad_request",
            "unauthenticated",
            "forbidden",
            "not_found",
            "locked_filter_unsupported",
            "conflict",
            "payload_too_large",
            "validation_failed",
            "rate_limited",
            "internal",
            "unavailable",
            "unsupported_version",
        ];
        for failure in Failure::ALL {
            assert!(
                codes.iter().any(|c| Failure::of_code(c) == Some(failure)),
                "{failure:?} has no code"
            );
        }
        assert_eq!(headline_in("ja", "not_found"), Some("見つかりません"));
        assert_eq!(headline_in("de", "destroyed"), None);
    }
}
