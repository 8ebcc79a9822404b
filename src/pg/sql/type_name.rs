//! The grammar of a type name as a function's signature may write it, so
//! that a configured type can be checked before it is spliced into DDL.
//!
//! `CREATE FUNCTION` takes no bind parameters, so an argument's type and the
//! result type go into the statement as text. Text that is more than a type
//! (`integer SET search_path = pg_temp`, `int, extra int`) would change the
//! function in ways a plan does not show. [`check`] accepts exactly the
//! forms of PostgreSQL's `func_type` grammar (a possibly qualified name,
//! quoted identifiers, type modifiers, array bounds, the SQL-standard
//! multi-word types, `%TYPE`, and in a result `SETOF` and `TABLE (...)`)
//! and refuses everything else, saying what it found. Whether the type
//! exists is left to the server: it may be created in the same apply.

use std::fmt;

/// Where a type is written; the result allows more forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// An argument's type.
    Argument,
    /// The result type: also `SETOF type`, `TABLE (name type, ...)` and
    /// `table.column%TYPE`.
    Result,
}

/// Why a text is not a type name, in words for the person who wrote it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TypeNameError(String);

/// Checks that `text` is one type name and nothing else (see the module
/// documentation). Keywords are matched without regard to case.
pub fn check(text: &str, place: Place) -> Result<(), TypeNameError> {
    if text.trim().is_empty() {
        return Err(TypeNameError("it is empty".into()));
    }
    let mut p = Parser {
        lex: Lexer { src: text, at: 0 },
        place,
        before_last: 0,
    };
    match (place, p.peek()?) {
        (Place::Result, Tok::Word(w)) if w.eq_ignore_ascii_case("setof") => {
            p.next()?;
            p.type_ref(false)?;
        }
        (Place::Result, Tok::Word(w))
            if w.eq_ignore_ascii_case("table") && p.peek_second()? == Tok::Punct('(') =>
        {
            p.next()?;
            p.table_columns()?;
        }
        _ => p.type_ref(false)?,
    }
    p.end()
}

/// One token of a type name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok<'a> {
    /// An unquoted identifier or keyword.
    Word(&'a str),
    /// A double-quoted identifier, quotes included.
    Quoted(&'a str),
    /// An unsigned whole number.
    Number(&'a str),
    /// A string constant, quotes included (only type modifiers take one).
    Str(&'a str),
    /// `.` `(` `)` `[` `]` `,` `%` `-`
    Punct(char),
    End,
}

impl fmt::Display for Tok<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Word(s) | Tok::Quoted(s) | Tok::Number(s) | Tok::Str(s) => write!(f, "`{s}`"),
            Tok::Punct(c) => write!(f, "`{c}`"),
            Tok::End => write!(f, "the end"),
        }
    }
}

/// Splits the text into tokens as PostgreSQL's scanner would, refusing
/// what no type name holds: semicolons, comments, dollar quotes, operators.
#[derive(Clone)]
struct Lexer<'a> {
    src: &'a str,
    at: usize,
}

fn starts_word(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || !c.is_ascii()
}

fn continues_word(c: char) -> bool {
    starts_word(c) || c.is_ascii_digit() || c == '$'
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c')
}

impl<'a> Lexer<'a> {
    fn next(&mut self) -> Result<Tok<'a>, TypeNameError> {
        let rest = &self.src[self.at..];
        let trimmed = rest.trim_start_matches(is_space);
        self.at += rest.len() - trimmed.len();
        let start = self.at;
        let Some(c) = trimmed.chars().next() else {
            return Ok(Tok::End);
        };
        let len = if starts_word(c) {
            trimmed
                .find(|c| !continues_word(c))
                .unwrap_or(trimmed.len())
        } else if c.is_ascii_digit() {
            let n = trimmed
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(trimmed.len());
            if let Some(c) = trimmed[n..].chars().next().filter(|&c| starts_word(c)) {
                let what = &trimmed[..n + c.len_utf8()];
                return Err(self.refuse(what, "is neither a number nor a name"));
            }
            n
        } else if c == '"' {
            let end = closing(trimmed, '"').ok_or_else(|| {
                TypeNameError("a quoted identifier (\"...\") is not closed".into())
            })?;
            if end == 1 {
                return Err(TypeNameError(
                    "a quoted identifier cannot be empty (\"\")".into(),
                ));
            }
            end + 1
        } else if c == '\'' {
            closing(trimmed, '\'')
                .ok_or_else(|| TypeNameError("a string ('...') is not closed".into()))?
                + 1
        } else if trimmed.starts_with("--") || trimmed.starts_with("/*") {
            return Err(TypeNameError(
                "it contains a comment, which a type name cannot hold".into(),
            ));
        } else if ".()[],%-".contains(c) {
            1
        } else {
            let why = match c {
                ';' => "ends a statement",
                '$' => "starts a dollar quote or a parameter",
                _ => "is not part of any type name",
            };
            return Err(self.refuse(&trimmed[..c.len_utf8()], why));
        };
        self.at = start + len;
        let text = &self.src[start..self.at];
        Ok(match c {
            '"' => Tok::Quoted(text),
            '\'' => Tok::Str(text),
            c if c.is_ascii_digit() => Tok::Number(text),
            c if starts_word(c) => Tok::Word(text),
            c => Tok::Punct(c),
        })
    }

    fn refuse(&self, what: &str, why: &str) -> TypeNameError {
        TypeNameError(format!("`{what}` {why}"))
    }
}

/// The index of the quote closing the one `s` starts with (a doubled quote
/// inside stands for one).
fn closing(s: &str, quote: char) -> Option<usize> {
    let mut chars = s.char_indices().skip(1).peekable();
    while let Some((i, c)) = chars.next() {
        if c == quote {
            if chars.peek().map(|&(_, n)| n) == Some(quote) {
                chars.next();
                continue;
            }
            return Some(i);
        }
    }
    None
}

struct Parser<'a> {
    lex: Lexer<'a>,
    place: Place,
    /// Where the lexer stood before the last token taken.
    before_last: usize,
}

impl<'a> Parser<'a> {
    fn next(&mut self) -> Result<Tok<'a>, TypeNameError> {
        self.before_last = self.lex.at;
        self.lex.next()
    }

    fn peek(&self) -> Result<Tok<'a>, TypeNameError> {
        self.lex.clone().next()
    }

    fn peek_second(&self) -> Result<Tok<'a>, TypeNameError> {
        let mut l = self.lex.clone();
        l.next()?;
        l.next()
    }

    /// Whether the next token is the keyword `kw`.
    fn at_keyword(&self, kw: &str) -> Result<bool, TypeNameError> {
        Ok(matches!(self.peek()?, Tok::Word(w) if w.eq_ignore_ascii_case(kw)))
    }

    /// Consumes the keyword `kw` when it comes next.
    fn keyword(&mut self, kw: &str) -> Result<bool, TypeNameError> {
        let here = self.at_keyword(kw)?;
        if here {
            self.next()?;
        }
        Ok(here)
    }

    /// The keyword among `kws` that comes next, consumed, in lower case.
    fn one_of(&mut self, kws: &[&'static str]) -> Result<Option<&'static str>, TypeNameError> {
        for kw in kws {
            if self.keyword(kw)? {
                return Ok(Some(kw));
            }
        }
        Ok(None)
    }

    /// What was read so far, for messages.
    fn so_far(&self) -> &'a str {
        self.lex.src[..self.lex.at].trim()
    }

    /// `found`, the next token (not taken), is not what `wanted` says.
    fn unexpected(&self, found: Tok<'_>, wanted: &str) -> TypeNameError {
        self.refuse_after(self.so_far(), found, wanted)
    }

    /// `found`, the token just taken, is not what `wanted` says.
    fn unexpected_taken(&self, found: Tok<'_>, wanted: &str) -> TypeNameError {
        self.refuse_after(self.lex.src[..self.before_last].trim(), found, wanted)
    }

    fn refuse_after(&self, after: &str, found: Tok<'_>, wanted: &str) -> TypeNameError {
        if after.is_empty() {
            TypeNameError(format!("it starts with {found} where {wanted} should be"))
        } else {
            TypeNameError(format!(
                "after `{after}` comes {found} where {wanted} should be"
            ))
        }
    }

    fn expect(&mut self, want: Tok<'_>, wanted: &str) -> Result<(), TypeNameError> {
        let t = self.peek()?;
        if t == want {
            self.next()?;
            Ok(())
        } else {
            Err(self.unexpected(t, wanted))
        }
    }

    fn expect_keyword(&mut self, kw: &str) -> Result<(), TypeNameError> {
        if self.keyword(kw)? {
            Ok(())
        } else {
            Err(self.unexpected(self.peek()?, &format!("`{}`", kw.to_ascii_uppercase())))
        }
    }

    /// Nothing may follow the type.
    fn end(&mut self) -> Result<(), TypeNameError> {
        let t = self.peek()?;
        if t == Tok::End {
            return Ok(());
        }
        let ty = self.so_far();
        Err(TypeNameError(match (t, self.place) {
            (Tok::Punct(','), Place::Argument) => format!(
                "`,` follows the type `{ty}`: an argument has one type (each argument is an arg \
                 block of its own)"
            ),
            (t, _) => format!(
                "{t} follows the complete type `{ty}`, and a type ends there (clauses such as \
                 SET, LANGUAGE or SECURITY DEFINER are not part of a type; the function has an \
                 attribute for each)"
            ),
        }))
    }

    /// `TABLE` was read: `( name type [, ...] )`.
    fn table_columns(&mut self) -> Result<(), TypeNameError> {
        self.expect(Tok::Punct('('), "`(`")?;
        loop {
            match self.next()? {
                Tok::Word(_) | Tok::Quoted(_) => {}
                t => return Err(self.unexpected_taken(t, "a column name")),
            }
            self.type_ref(true)?;
            match self.next()? {
                Tok::Punct(',') => continue,
                Tok::Punct(')') => return Ok(()),
                t => return Err(self.unexpected_taken(t, "`,` or `)`")),
            }
        }
    }

    /// A type: a built-in multi-word type or a (qualified) name with its
    /// modifiers, then array bounds; or `name.column%TYPE`.
    fn type_ref(&mut self, in_table: bool) -> Result<(), TypeNameError> {
        let first = self.next()?;
        match first {
            Tok::Word(w) if w.eq_ignore_ascii_case("setof") => {
                return Err(TypeNameError(if in_table || self.place == Place::Result {
                    "SETOF may only begin the result type".into()
                } else {
                    "SETOF is for the result type (returns): a function cannot take a set as an \
                     argument"
                        .into()
                }));
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("table") && self.peek()? == Tok::Punct('(') => {
                return Err(TypeNameError(if self.place == Place::Result {
                    "TABLE (...) must be the whole result type".into()
                } else {
                    "TABLE (...) is for the result type (returns), not an argument".into()
                }));
            }
            Tok::Word(w) if self.peek()? != Tok::Punct('.') && self.builtin(w)? => {}
            Tok::Word(_) | Tok::Quoted(_) => {
                let mut parts = 1;
                while self.peek()? == Tok::Punct('.') {
                    self.next()?;
                    match self.next()? {
                        Tok::Word(_) | Tok::Quoted(_) => parts += 1,
                        t => return Err(self.unexpected_taken(t, "a name after `.`")),
                    }
                }
                if self.peek()? == Tok::Punct('%') {
                    return self.percent_type(parts);
                }
                if self.peek()? == Tok::Punct('(') {
                    self.modifiers()?;
                }
            }
            t => return Err(self.unexpected_taken(t, "a type name")),
        }
        self.array_bounds()
    }

    /// `%` is next after a name of `parts` parts: `%TYPE`, in a result.
    fn percent_type(&mut self, parts: usize) -> Result<(), TypeNameError> {
        self.next()?;
        let t = self.next()?;
        if !matches!(t, Tok::Word(w) if w.eq_ignore_ascii_case("type")) {
            return Err(self.unexpected_taken(t, "`TYPE` (only `%TYPE` may follow a name)"));
        }
        if parts < 2 {
            return Err(TypeNameError(
                "%TYPE follows a column, written table.column%TYPE".into(),
            ));
        }
        if self.place == Place::Argument {
            return Err(TypeNameError(
                "an argument's type cannot be written with %TYPE: the provider finds the \
                 function by its argument types, and PostgreSQL cannot look a function up by \
                 this form. Write the column's type itself (PostgreSQL converts %TYPE to it once, \
                 when the function is created)"
                    .into(),
            ));
        }
        Ok(())
    }

    /// The rest of a built-in type whose name is more than one word, or
    /// whose modifiers are written in a form of its own, when `w` starts
    /// one; `false` leaves `w` to be read as an ordinary type name.
    fn builtin(&mut self, w: &str) -> Result<bool, TypeNameError> {
        match w.to_ascii_lowercase().as_str() {
            "double" => self.keyword("precision"),
            "national" => {
                if self.one_of(&["character", "char"])?.is_none() {
                    return Ok(false);
                }
                self.character()?;
                Ok(true)
            }
            "character" | "char" | "nchar" => {
                self.character()?;
                Ok(true)
            }
            "bit" => {
                self.keyword("varying")?;
                if self.peek()? == Tok::Punct('(') {
                    self.modifiers()?;
                }
                Ok(true)
            }
            "time" | "timestamp" => {
                if self.peek()? == Tok::Punct('(') {
                    self.precision()?;
                }
                if self.one_of(&["with", "without"])?.is_some() {
                    self.expect_keyword("time")?;
                    self.expect_keyword("zone")?;
                }
                Ok(true)
            }
            "interval" => {
                if self.peek()? == Tok::Punct('(') {
                    self.precision()?;
                } else {
                    self.interval_fields()?;
                }
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// After `character`, `char` or `nchar`: `[varying] [(n)]`.
    fn character(&mut self) -> Result<(), TypeNameError> {
        self.keyword("varying")?;
        if self.peek()? == Tok::Punct('(') {
            self.precision()?;
        }
        Ok(())
    }

    /// After `interval`: the fields, `YEAR TO MONTH`, `DAY TO SECOND(3)` ...
    fn interval_fields(&mut self) -> Result<(), TypeNameError> {
        let to: &[&'static str] =
            match self.one_of(&["year", "month", "day", "hour", "minute", "second"])? {
                None | Some("month") => return Ok(()),
                Some("second") => return self.second_precision(),
                Some("year") => &["month"],
                Some("day") => &["hour", "minute", "second"],
                Some("hour") => &["minute", "second"],
                Some(_) => &["second"],
            };
        if !self.keyword("to")? {
            return Ok(());
        }
        match self.one_of(to)? {
            Some("second") => self.second_precision(),
            Some(_) => Ok(()),
            None => {
                let wanted: Vec<String> = to.iter().map(|k| k.to_ascii_uppercase()).collect();
                Err(self.unexpected(self.peek()?, &wanted.join(" or ")))
            }
        }
    }

    fn second_precision(&mut self) -> Result<(), TypeNameError> {
        if self.peek()? == Tok::Punct('(') {
            self.precision()?;
        }
        Ok(())
    }

    /// `( n )`.
    fn precision(&mut self) -> Result<(), TypeNameError> {
        self.expect(Tok::Punct('('), "`(`")?;
        match self.next()? {
            Tok::Number(_) => {}
            t => return Err(self.unexpected_taken(t, "a whole number")),
        }
        self.expect(Tok::Punct(')'), "`)`")
    }

    /// `( modifier [, ...] )`, each a whole number (maybe negative), a name
    /// or a string: `(10, 2)`, `(Point, 4326)`.
    fn modifiers(&mut self) -> Result<(), TypeNameError> {
        self.expect(Tok::Punct('('), "`(`")?;
        loop {
            match self.next()? {
                Tok::Number(_) | Tok::Word(_) | Tok::Quoted(_) | Tok::Str(_) => {}
                Tok::Punct('-') => match self.next()? {
                    Tok::Number(_) => {}
                    t => return Err(self.unexpected_taken(t, "a whole number")),
                },
                t => {
                    return Err(self.unexpected_taken(
                        t,
                        "a type modifier (a whole number, a name or a string)",
                    ))
                }
            }
            match self.next()? {
                Tok::Punct(',') => continue,
                Tok::Punct(')') => return Ok(()),
                t => return Err(self.unexpected_taken(t, "`,` or `)`")),
            }
        }
    }

    /// `[]`, `[n]` any number of times, or `ARRAY` / `ARRAY[n]`.
    fn array_bounds(&mut self) -> Result<(), TypeNameError> {
        if self.keyword("array")? {
            if self.peek()? == Tok::Punct('[') {
                self.next()?;
                match self.next()? {
                    Tok::Number(_) => {}
                    t => return Err(self.unexpected_taken(t, "a whole number")),
                }
                self.expect(Tok::Punct(']'), "`]`")?;
            }
            return Ok(());
        }
        while self.peek()? == Tok::Punct('[') {
            self.next()?;
            if let Tok::Number(_) = self.peek()? {
                self.next()?;
            }
            self.expect(Tok::Punct(']'), "`]`")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Accepted wherever a type is: in an argument and as the result.
    const TYPES: &[&str] = &[
        "integer",
        "INT",
        "text[]",
        "int[][]",
        "int[3][4]",
        "int ARRAY",
        "int array[3]",
        "public.my_type",
        "\"My Schema\".\"T\"",
        "\"My Schema\".\"T\"[]",
        "\"a \"\" quote\"",
        "pg_catalog.int4",
        "db.public.t",
        "numeric(10,2)",
        "numeric(5, -2)",
        "NUMERIC ( 10 , 2 ) []",
        "decimal(8)",
        "float(24)",
        "varchar(10)",
        "varchar",
        "double precision",
        "Double Precision[]",
        "character varying(10)",
        "character varying(10)[]",
        "character varying",
        "character(3)",
        "char",
        "char varying(4)",
        "nchar(2)",
        "national character varying(2)",
        "national char",
        "bit",
        "bit(3)",
        "bit varying",
        "bit varying(4) ARRAY[3]",
        "time",
        "time(2)",
        "time without time zone",
        "time(2) with time zone",
        "timestamp",
        "timestamp(3) with time zone",
        "TIMESTAMP WITHOUT TIME ZONE[]",
        "timestamptz",
        "interval",
        "interval(3)",
        "interval year",
        "interval year to month",
        "interval month",
        "interval day",
        "interval day to hour",
        "interval day to minute",
        "interval day to second",
        "interval day to second(3)",
        "interval hour to minute",
        "interval hour to second(6)",
        "interval minute to second",
        "interval second",
        "interval second(2)[]",
        "geometry(Point, 4326)",
        "public.geography(\"Point\", 4326)",
        "x('a', 'b''c')",
        "\"char\"",
        "_int4",
        "a$b",
        "tåble",
        "\"double\".precision",
        "double",
        "national",
        "  integer\n",
        "character\tvarying\n(10)",
    ];

    #[test]
    fn types_are_accepted_in_both_places() {
        for t in TYPES {
            assert_eq!(check(t, Place::Argument), Ok(()), "argument {t:?}");
            assert_eq!(check(t, Place::Result), Ok(()), "result {t:?}");
        }
    }

    #[test]
    fn result_forms_are_accepted_only_in_a_result() {
        for t in [
            "SETOF integer",
            "setof record",
            "SETOF public.t[]",
            "setof \"My\".\"T\"",
            "TABLE (n int)",
            "TABLE(n integer, t character varying)",
            "table (\"My Col\" numeric(10,2), b text[], c timestamp(3) with time zone)",
            "TABLE (a t.c%TYPE)",
            "t.c%TYPE",
            "public.t.c % type",
            "SETOF t.c%TYPE",
        ] {
            assert_eq!(check(t, Place::Result), Ok(()), "result {t:?}");
            assert!(check(t, Place::Argument).is_err(), "argument {t:?}");
        }
    }

    /// Refused in either place.
    const NOT_TYPES: &[&str] = &[
        "",
        "   ",
        "integer SET search_path = pg_temp",
        "int, extra int",
        "integer LANGUAGE sql",
        "int AS $$ select 1 $$",
        "integer SECURITY DEFINER",
        "int; DROP TABLE t",
        "int -- comment",
        "int /* c */",
        "int)",
        "(int)",
        "numeric(10,2",
        "numeric(10,)",
        "numeric()",
        "numeric(+5)",
        "numeric(1.5)",
        "numeric(a b)",
        "int[",
        "int[x]",
        "int ARRAY[]",
        "int[] ARRAY",
        "int ARRAY[3][3]",
        "\"open",
        "\"\"",
        "x('open)",
        "public.",
        "public..t",
        ".t",
        "a.b c",
        "double precision precision",
        "character varying varying",
        "varchar(10) (5)",
        "time zone",
        "timestamp with zone",
        "timestamp with time",
        "time (x)",
        "time(3)(3)",
        "interval year to day",
        "interval day to",
        "interval second to minute",
        "interval(3) day",
        "int4 $1",
        "int = 1",
        "int::text",
        "t.c%ROWTYPE",
        "c%TYPE",
        "t.c%TYPE[]",
        "SETOF SETOF int",
        "TABLE (n int) SETOF",
        "TABLE ()",
        "TABLE (int)",
        "TABLE (n int,)",
        "TABLE (n int",
        "TABLE (n SETOF int)",
        "TABLE (n int, m TABLE (x int))",
        "1int",
        "42",
    ];

    #[test]
    fn anything_else_is_refused() {
        for t in NOT_TYPES {
            assert!(check(t, Place::Argument).is_err(), "argument {t:?}");
            assert!(check(t, Place::Result).is_err(), "result {t:?}");
        }
    }

    fn why(t: &str, place: Place) -> String {
        check(t, place).unwrap_err().to_string()
    }

    #[test]
    fn refusals_say_what_was_found() {
        assert_eq!(
            why("integer SET search_path = pg_temp", Place::Result),
            "`SET` follows the complete type `integer`, and a type ends there (clauses such as \
             SET, LANGUAGE or SECURITY DEFINER are not part of a type; the function has an \
             attribute for each)"
        );
        assert_eq!(
            why("int, extra int", Place::Argument),
            "`,` follows the type `int`: an argument has one type (each argument is an arg block \
             of its own)"
        );
        assert_eq!(why("int; x", Place::Argument), "`;` ends a statement");
        assert_eq!(
            why("SETOF int", Place::Argument),
            "SETOF is for the result type (returns): a function cannot take a set as an argument"
        );
        assert_eq!(
            why("numeric(10,", Place::Argument),
            "after `numeric(10,` comes the end where a type modifier (a whole number, a name or \
             a string) should be"
        );
        assert_eq!(
            why("interval day to year", Place::Argument),
            "after `interval day to` comes `year` where HOUR or MINUTE or SECOND should be"
        );
        assert_eq!(why("", Place::Result), "it is empty");
        assert!(why("t.c%TYPE", Place::Argument).contains("cannot be written with %TYPE"));
        assert!(why("int /* x */", Place::Argument).contains("comment"));
        assert!(why("\"open", Place::Argument).contains("not closed"));
    }

    /// What PostgreSQL prints for types and results (`format_type`,
    /// `pg_get_function_result`) reads back as a type.
    #[test]
    fn catalog_spellings_are_types() {
        for t in [
            "timestamp(3) with time zone",
            "character varying[]",
            "\"char\"",
            "\"any\"",
            "bit varying(5)",
            "interval day to second(3)",
            "TABLE(\"My Col\" integer, b text[])",
            "SETOF record",
        ] {
            assert_eq!(check(t, Place::Result), Ok(()), "{t:?}");
        }
    }
}
