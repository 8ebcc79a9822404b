//! What `postgresql_schemas`, `postgresql_tables` and `postgresql_sequences`
//! share: the reference provider's pattern attributes, their conversion to a
//! [`NameFilter`], the reference's `id` format, and the diagnostic for a
//! failed listing.

use crate::pg::catalog::audit;
use crate::pg::catalog::object_list::NameFilter;
use crate::pg::error::PgError;
use crate::protocol::model;
use crate::protocol::{Attribute, Diagnostic, Diagnostics, Problem};

use crate::resources::support::errors::{pg_diag, ErrorContext};
use crate::resources::support::validators;

/// The `database` attribute of the three data sources.
pub fn database_attr(what: &str) -> Attribute {
    model::required(&format!("Database whose {what} are listed.")).each(validators::database_name)
}

/// `like_any_patterns`; `what` names the objects ("schema").
pub fn like_any_attr(what: &str) -> Attribute {
    model::optional(&format!(
        "Only {what}s whose name is `LIKE` at least one of these patterns (`LIKE ANY`): `%` \
         matches any run of characters, `_` any one character, a backslash escapes the next \
         one. Case-sensitive."
    ))
    .each(like_pattern)
}

/// `like_all_patterns`.
pub fn like_all_attr(what: &str) -> Attribute {
    model::optional(&format!(
        "Only {what}s whose name is `LIKE` every one of these patterns (`LIKE ALL`)."
    ))
    .each(like_pattern)
}

/// `not_like_all_patterns`.
pub fn not_like_all_attr(what: &str) -> Attribute {
    model::optional(&format!(
        "Only {what}s whose name is `LIKE` none of these patterns (`NOT LIKE ALL`)."
    ))
    .each(like_pattern)
}

/// `regex_pattern`.
pub fn regex_attr(what: &str) -> Attribute {
    model::optional(&format!(
        "Only {what}s whose name matches this POSIX regular expression (`~`, case-sensitive; \
         it matches anywhere in the name unless anchored with `^` and `$`). Empty: no filter."
    ))
}

/// A LIKE pattern PostgreSQL would refuse.
fn like_pattern(attr: &str, pattern: &str) -> Option<Problem> {
    audit::like_pattern_problem(pattern).map(|problem| {
        Problem::new(
            "Invalid LIKE Pattern",
            format!("{attr} {pattern:?} is not a valid LIKE pattern: {problem}."),
        )
    })
}

/// The filter the pattern attributes describe.
pub fn filter(
    like_any: &Option<Vec<String>>,
    like_all: &Option<Vec<String>>,
    not_like_all: &Option<Vec<String>>,
    regex: &Option<String>,
) -> NameFilter {
    NameFilter {
        like_any: like_any.clone().unwrap_or_default(),
        like_all: like_all.clone().unwrap_or_default(),
        not_like_all: not_like_all.clone().unwrap_or_default(),
        regex: regex.clone().unwrap_or_default(),
    }
}

/// A list as the reference provider writes it into an `id`:
/// `ANY (array['a','b'])` (values as they are, unescaped).
pub fn id_list(keyword: &str, items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|i| format!("'{i}'")).collect();
    format!("{keyword} (array[{}])", items.join(","))
}

/// The pattern part of an `id`, as the reference provider wrote it: the
/// three lists, then the regular expression, joined by `_`.
pub fn id_patterns(f: &NameFilter) -> Vec<String> {
    vec![
        id_list("ANY", &f.like_any),
        id_list("ALL", &f.like_all),
        id_list("ALL", &f.not_like_all),
        f.regex.clone(),
    ]
}

/// The diagnostic for a failed listing; a bad regular expression is
/// pinned on `regex_pattern`.
pub fn list_diag(err: &PgError, ctx: &ErrorContext) -> Diagnostics {
    if err.is_invalid_regular_expression() {
        return Diagnostic::error(
            "Invalid Regular Expression",
            format!(
                "{}\n\nregex_pattern must be a POSIX regular expression PostgreSQL accepts.",
                err.db_message().unwrap_or_else(|| err.to_string())
            ),
        )
        .at("regex_pattern")
        .into();
    }
    pg_diag(err, ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_the_reference_format() {
        let f = filter(
            &Some(vec!["a%".into(), "b".into()]),
            &None,
            &Some(vec![]),
            &None,
        );
        assert_eq!(
            id_patterns(&f).join("_"),
            "ANY (array['a%','b'])_ALL (array[])_ALL (array[])_"
        );
    }
}
