//! cty numbers: arbitrary precision, kept as canonical decimal text.

use std::fmt;

/// Decimal exponents (of the leading digit) beyond which the canonical text
/// switches from plain digits to scientific notation. cty prints plain digits
/// for any size; the cut-off only stops absurd inputs like `1e999999999` from
/// expanding into gigabytes of zeros.
const PLAIN_EXPONENT_LIMIT: i64 = 1000;

/// Inputs whose leading-digit exponent exceeds this are rejected; it is far
/// beyond anything Terraform (whose numbers are 512-bit big.Floats) produces,
/// and it keeps all exponent arithmetic well away from overflow.
const MAX_EXPONENT: i64 = 1_000_000_000;

/// An arbitrary-precision number, kept as canonical decimal text (cty keeps a
/// big.Float; decimal text is exact for every value Terraform can send us).
///
/// The canonical form has no exponent, leading zeros or trailing fractional
/// zeros (`"1"`, `"-0.25"`, `"1000"`), except that magnitudes beyond 10^±1000
/// use scientific notation (`"1.5e2000"`), and infinities are `"+Inf"` and
/// `"-Inf"` as cty prints them. Because the form is canonical, equality is
/// numeric: `"1"`, `"1.0"` and `"1e0"` all parse to the same `Number`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Number(String);

impl Number {
    /// The number zero.
    pub fn zero() -> Self {
        Number("0".to_string())
    }

    /// An integer.
    pub fn from_i64(i: i64) -> Self {
        Number(i.to_string())
    }

    /// An unsigned integer (msgpack uint64 can exceed `i64::MAX`).
    pub fn from_u64(u: u64) -> Self {
        Number(u.to_string())
    }

    /// The decimal that is the shortest text reading back as `f` (what cty
    /// shows for a float64-precision number: `0.1` is `"0.1"`). Infinities
    /// are kept. cty has no NaN, so NaN becomes zero; callers that can produce
    /// NaN must check for it themselves.
    pub fn from_f64(f: f64) -> Self {
        if f.is_nan() {
            return Self::zero();
        }
        if f.is_infinite() {
            return Number(if f > 0.0 { "+Inf" } else { "-Inf" }.to_string());
        }
        // Rust's Display for f64 is the shortest round-tripping decimal, in
        // plain notation, which `parse` always accepts; the fallback is
        // unreachable.
        Self::parse(&f.to_string()).unwrap_or_else(Self::zero)
    }

    /// The exact value of a finite `f64`, all of its digits (`2^64` is
    /// `"18446744073709551616"`, not its shortest spelling): what cty holds
    /// after decoding a float64 from msgpack. Infinities are kept; NaN, which
    /// cty cannot hold, is `None`.
    pub fn from_f64_exact(f: f64) -> Option<Self> {
        if f.is_nan() {
            return None;
        }
        if f.is_infinite() {
            return Some(Number(if f > 0.0 { "+Inf" } else { "-Inf" }.to_string()));
        }
        // Every finite f64 is a dyadic rational with at most 767 significant
        // decimal digits, so 800 digits of scientific notation print it
        // exactly (Rust's exact-precision formatting is correctly rounded).
        Self::parse(&format!("{f:.800e}"))
    }

    /// Parses decimal text: optional sign, digits with an optional fraction,
    /// optional exponent (`-1.5e3`, `.5`, `2.`), or an infinity (`Inf`,
    /// `+Inf`, `-inf`, `infinity`), like cty's `ParseNumberVal`. Returns
    /// `None` for anything else, including NaN and whitespace.
    pub fn parse(s: &str) -> Option<Self> {
        let (negative, rest) = match s.as_bytes().first()? {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, s),
        };
        if rest.eq_ignore_ascii_case("inf") || rest.eq_ignore_ascii_case("infinity") {
            return Some(Number(if negative { "-Inf" } else { "+Inf" }.to_string()));
        }

        let (mantissa, exp_text) = match rest.find(['e', 'E']) {
            Some(i) => (&rest[..i], Some(&rest[i + 1..])),
            None => (rest, None),
        };
        let (int_part, frac_part) = match mantissa.find('.') {
            Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
            None => (mantissa, ""),
        };
        let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if int_part.is_empty() && frac_part.is_empty()
            || !all_digits(int_part)
            || !all_digits(frac_part)
        {
            return None;
        }

        let mut exp: i64 = match exp_text {
            None => 0,
            Some(t) => {
                let (neg, digits) = match t.as_bytes().first()? {
                    b'-' => (true, &t[1..]),
                    b'+' => (false, &t[1..]),
                    _ => (false, t),
                };
                if digits.is_empty() || !all_digits(digits) {
                    return None;
                }
                // Saturate, then refuse anything beyond twice the limit at
                // once: no input is long enough for its digits to bring such
                // an exponent back into range, and the arithmetic below then
                // never nears i64's ends.
                let mut e: i64 = 0;
                for b in digits.bytes() {
                    e = e.saturating_mul(10).saturating_add(i64::from(b - b'0'));
                }
                if e > 2 * MAX_EXPONENT {
                    return None;
                }
                if neg {
                    -e
                } else {
                    e
                }
            }
        };

        // value = digits × 10^exp, digits stripped of leading zeros and then
        // of trailing zeros (moved into the exponent).
        let joined: String = [int_part, frac_part].concat();
        let frac_len = i64::try_from(frac_part.len()).ok()?;
        exp = exp.checked_sub(frac_len)?;
        let trimmed = joined.trim_start_matches('0');
        let digits = trimmed.trim_end_matches('0');
        if digits.is_empty() {
            return Some(Self::zero());
        }
        exp = exp.checked_add(i64::try_from(trimmed.len() - digits.len()).ok()?)?;
        let n = i64::try_from(digits.len()).ok()?;
        let lead_exp = exp.checked_add(n - 1)?;
        if lead_exp.unsigned_abs() > MAX_EXPONENT.unsigned_abs() {
            return None;
        }
        Some(Number(canonical_text(negative, digits, exp, lead_exp)))
    }

    /// The integer value, if this is an integer within `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        if self.is_plain_integer() {
            self.0.parse().ok()
        } else {
            None
        }
    }

    /// The integer value, if this is a non-negative integer within `u64`.
    pub fn as_u64(&self) -> Option<u64> {
        if self.is_plain_integer() {
            self.0.parse().ok()
        } else {
            None
        }
    }

    /// The nearest `f64`; `None` if the number is finite but too large for
    /// `f64` (tiny magnitudes round to zero, as any float conversion does).
    pub fn as_f64(&self) -> Option<f64> {
        match self.0.as_str() {
            "+Inf" => Some(f64::INFINITY),
            "-Inf" => Some(f64::NEG_INFINITY),
            s => s.parse::<f64>().ok().filter(|f| f.is_finite()),
        }
    }

    /// The `f64` whose value is *exactly* this number, if there is one
    /// (`0.5`, `1e20`, the infinities; not `0.1`). This is the test cty's
    /// msgpack encoder applies before writing a number as float64.
    pub fn as_f64_exact(&self) -> Option<f64> {
        let f = self.as_f64()?;
        if f.is_infinite() {
            return Some(f);
        }
        let exact = Number::from_f64_exact(f)?;
        (exact == *self).then_some(f)
    }

    /// The canonical decimal text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True for `±Inf`.
    pub fn is_infinite(&self) -> bool {
        self.0.ends_with("Inf")
    }

    fn is_plain_integer(&self) -> bool {
        let digits = self.0.strip_prefix('-').unwrap_or(&self.0);
        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
    }
}

/// Renders `±digits × 10^exp` (digits without leading or trailing zeros,
/// `lead_exp` the exponent of the first digit) in the canonical form.
fn canonical_text(negative: bool, digits: &str, exp: i64, lead_exp: i64) -> String {
    let mut out = String::with_capacity(digits.len() + 8);
    if negative {
        out.push('-');
    }
    if lead_exp.abs() > PLAIN_EXPONENT_LIMIT {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push_str(&lead_exp.to_string());
        return out;
    }
    // Within the plain range, every padding count below is at most
    // PLAIN_EXPONENT_LIMIT + 1, so the conversions cannot fail.
    let pad = |n: i64| "0".repeat(usize::try_from(n).unwrap_or(0));
    if exp >= 0 {
        out.push_str(digits);
        out.push_str(&pad(exp));
    } else if lead_exp >= 0 {
        // The decimal point falls inside the digits.
        let int_len = usize::try_from(lead_exp + 1).unwrap_or(0);
        out.push_str(&digits[..int_len]);
        out.push('.');
        out.push_str(&digits[int_len..]);
    } else {
        out.push_str("0.");
        out.push_str(&pad(-lead_exp - 1));
        out.push_str(digits);
    }
    out
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<i64> for Number {
    fn from(i: i64) -> Self {
        Number::from_i64(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Number {
        Number::parse(s).unwrap()
    }

    #[test]
    fn number_canonical_forms() {
        for (input, canon) in [
            ("1", "1"),
            ("1.0", "1"),
            ("1e0", "1"),
            ("+1.000", "1"),
            ("-0", "0"),
            ("0.000", "0"),
            (".5", "0.5"),
            ("2.", "2"),
            ("0012.3400", "12.34"),
            ("1.5e3", "1500"),
            ("15E-3", "0.015"),
            ("-1.25e-1", "-0.125"),
            ("123.456e1", "1234.56"),
            ("1e1001", "1e1001"),
            ("-12.5e-1200", "-1.25e-1199"),
            ("inf", "+Inf"),
            ("-Infinity", "-Inf"),
        ] {
            assert_eq!(n(input).as_str(), canon, "{input}");
        }
        assert_eq!(n("1e1000").as_str().len(), 1001);
        for bad in [
            "",
            "-",
            ".",
            "e5",
            "1e",
            "1e+",
            "abc",
            "1.2.3",
            " 1",
            "1 ",
            "nan",
            "0x10",
            "1e99999999999",
        ] {
            assert!(Number::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn number_conversions() {
        assert_eq!(Number::from_f64(0.1).as_str(), "0.1");
        assert_eq!(Number::from_f64(-0.0).as_str(), "0");
        assert_eq!(Number::from_f64(1e21).as_str(), "1000000000000000000000");
        assert_eq!(Number::from_f64(1e-7).as_str(), "0.0000001");
        assert_eq!(n("9223372036854775807").as_i64(), Some(i64::MAX));
        assert_eq!(n("9223372036854775808").as_i64(), None);
        assert_eq!(n("9223372036854775808").as_u64(), Some(1 << 63));
        assert_eq!(n("1.5").as_i64(), None);
        assert_eq!(n("1e400").as_f64(), None);
        assert_eq!(n("0.5").as_f64_exact(), Some(0.5));
        assert_eq!(n("0.1").as_f64_exact(), None);
        assert_eq!(n("0.1").as_f64(), Some(0.1));
        assert_eq!(n("1e20").as_f64_exact(), Some(1e20));
        assert_eq!(n("-Inf").as_f64_exact(), Some(f64::NEG_INFINITY));
        assert_eq!(
            n("0.1000000000000000055511151231257827021181583404541015625").as_f64_exact(),
            Some(0.1)
        );
    }
}
