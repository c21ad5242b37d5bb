//! Tracking codes: a region prefix, 75 random bits and a check symbol, in
//! Crockford base32, grouped for reading aloud: `BDG-7K3Q-XP9M-2HT4-WQ5R`.
//!
//! The check symbol is a Damm check over GF(32), which catches every
//! single-symbol typo and every swap of two neighbours, in the prefix too.
//! Reading forgives case, spaces, dashes and the look-alikes O/0 and I/L/1.

use std::fmt;

/// The 32 symbols, in value order.
pub const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Letters in a region prefix.
pub const PREFIX_LEN: usize = 3;
/// Random symbols after the prefix (5 bits each).
pub const RANDOM_LEN: usize = 15;
/// Symbols after the prefix, the check symbol included.
pub const BODY_LEN: usize = RANDOM_LEN + 1;

/// Why a typed code was refused before any look-up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeError {
    /// Wrong length or a symbol that is not in the alphabet.
    Malformed,
    /// Well formed, but the check symbol does not match: a typo.
    Mistyped,
}

/// A tracking code in its canonical, grouped form.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TrackingCode(String);

fn value_of(symbol: u8) -> Option<u8> {
    let s = match symbol.to_ascii_uppercase() {
        b'O' => b'0',
        b'I' | b'L' => b'1',
        other => other,
    };
    ALPHABET.iter().position(|&a| a == s).map(|p| p as u8)
}

/// Multiplication by x in GF(32) with the polynomial x^5 + x^2 + 1.
fn times_x(v: u8) -> u8 {
    let shifted = v << 1;
    if shifted & 0x20 != 0 {
        (shifted ^ 0x25) & 0x1f
    } else {
        shifted
    }
}

/// The Damm interim after the given symbol values; zero means "checks out".
fn damm(values: impl IntoIterator<Item = u8>) -> u8 {
    values
        .into_iter()
        .fold(0, |interim, v| times_x(interim) ^ v)
}

/// True when `prefix` can start a tracking code: three letters of the alphabet.
pub fn is_valid_prefix(prefix: &str) -> bool {
    prefix.len() == PREFIX_LEN
        && prefix
            .bytes()
            .all(|b| b.is_ascii_uppercase() && ALPHABET.contains(&b))
}

impl TrackingCode {
    /// A new code for a region: `random` supplies the random bits (the lowest 75 are used).
    ///
    /// Returns `None` when the prefix is not three letters of the alphabet.
    pub fn generate(prefix: &str, random: u128) -> Option<TrackingCode> {
        if !is_valid_prefix(prefix) {
            return None;
        }
        let mut values: Vec<u8> = prefix.bytes().filter_map(value_of).collect();
        for i in 0..RANDOM_LEN {
            values.push(((random >> (5 * i)) & 0x1f) as u8);
        }
        let check = times_x(damm(values.iter().copied()));
        values.push(check);
        Some(TrackingCode::from_values(&values))
    }

    /// Reads a code as a person typed it.
    pub fn parse(typed: &str) -> Result<TrackingCode, CodeError> {
        let mut values = Vec::with_capacity(PREFIX_LEN + BODY_LEN);
        for ch in typed.chars() {
            if ch.is_whitespace() || ch == '-' || ch == '_' || ch == '.' {
                continue;
            }
            if values.len() == PREFIX_LEN + BODY_LEN || !ch.is_ascii() {
                return Err(CodeError::Malformed);
            }
            values.push(value_of(ch as u8).ok_or(CodeError::Malformed)?);
        }
        if values.len() != PREFIX_LEN + BODY_LEN {
            return Err(CodeError::Malformed);
        }
        // The prefix is letters only, so a digit there (or a look-alike read
        // as one) is malformed rather than a typo we could correct.
        if values[..PREFIX_LEN].iter().any(|&v| v < 10) {
            return Err(CodeError::Malformed);
        }
        if damm(values.iter().copied()) != 0 {
            return Err(CodeError::Mistyped);
        }
        Ok(TrackingCode::from_values(&values))
    }

    fn from_values(values: &[u8]) -> TrackingCode {
        let mut out = String::with_capacity(PREFIX_LEN + BODY_LEN + 4);
        for (i, &v) in values.iter().enumerate() {
            if i >= PREFIX_LEN && (i - PREFIX_LEN).is_multiple_of(4) {
                out.push('-');
            }
            out.push(ALPHABET[usize::from(v)] as char);
        }
        TrackingCode(out)
    }

    /// The region prefix, e.g. `BDG`.
    pub fn prefix(&self) -> &str {
        &self.0[..PREFIX_LEN]
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The symbols a code ends with, as an officer types them when a citizen
/// reads out the last group: [`GROUP_LEN`] symbols, forgiving case, spaces,
/// dashes and the look-alikes; canonical, or `None` when it is not one.
pub fn last_group(typed: &str) -> Option<String> {
    let mut out = String::with_capacity(GROUP_LEN);
    for ch in typed.chars() {
        if ch.is_whitespace() || ch == '-' {
            continue;
        }
        if out.len() == GROUP_LEN || !ch.is_ascii() {
            return None;
        }
        out.push(ALPHABET[usize::from(value_of(ch as u8)?)] as char);
    }
    (out.len() == GROUP_LEN).then_some(out)
}

/// Symbols in a group of a code (the last one ends with the check symbol).
pub const GROUP_LEN: usize = 4;

impl fmt::Display for TrackingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_group_is_read_as_a_person_types_it() {
        let code = sample(0x1234_5678_9abc_def0_1234);
        let group = code
            .as_str()
            .rsplit('-')
            .next()
            .unwrap_or_default()
            .to_owned();
        assert_eq!(group.len(), GROUP_LEN);
        assert!(code.as_str().ends_with(&format!("-{group}")));
        assert_eq!(last_group(&group), Some(group.clone()));
        assert_eq!(last_group(&group.to_lowercase()), Some(group.clone()));
        assert_eq!(
            last_group(&format!(" {}-{} ", &group[..2], &group[2..])),
            Some(group)
        );
        // Look-alikes read as the symbols they stand for.
        assert_eq!(last_group("oIl0"), Some("0110".to_owned()));
        // Not a group: too short, too long, outside the alphabet.
        // (`Ł` is U+0141: its low byte is an `A`, which it must not pass for.)
        for typed in [
            "",
            "7K3",
            "7K3QX",
            "7K-3Q-X",
            "7KUQ",
            "7K3É",
            "7K3Ł",
            "7K3Q\u{0}",
        ] {
            assert_eq!(last_group(typed), None, "{typed:?}");
        }
    }

    fn sample(seed: u128) -> TrackingCode {
        TrackingCode::generate(
            "BDG",
            seed.wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835),
        )
        .unwrap_or_else(|| TrackingCode(String::new()))
    }

    #[test]
    fn generated_codes_are_grouped_and_check_out() {
        let code = sample(7);
        assert_eq!(code.as_str().len(), 3 + 4 * 5);
        assert_eq!(code.prefix(), "BDG");
        assert_eq!(code.as_str().matches('-').count(), 4);
        assert_eq!(TrackingCode::parse(code.as_str()), Ok(code));
    }

    #[test]
    fn reading_forgives_case_spacing_and_look_alikes() {
        let code = sample(11);
        let loose = code.as_str().replace('-', " ").to_lowercase();
        assert_eq!(TrackingCode::parse(&loose), Ok(code.clone()));
        let squashed = code.as_str().replace('-', "");
        assert_eq!(TrackingCode::parse(&squashed), Ok(code.clone()));
        let fuzzy = code.as_str().replace('0', "o").replace('1', "l");
        assert_eq!(TrackingCode::parse(&fuzzy), Ok(code));
    }

    #[test]
    fn every_single_symbol_typo_is_caught() {
        for seed in 0..200 {
            let code = sample(seed);
            let chars: Vec<char> = code.as_str().chars().collect();
            for (i, &original) in chars.iter().enumerate() {
                if original == '-' {
                    continue;
                }
                for &replacement in ALPHABET.iter() {
                    let replacement = replacement as char;
                    if replacement == original {
                        continue;
                    }
                    let mut typo = chars.clone();
                    typo[i] = replacement;
                    let typed: String = typo.into_iter().collect();
                    assert!(
                        TrackingCode::parse(&typed).is_err(),
                        "{typed} was accepted for {code}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_swap_of_neighbours_is_caught() {
        for seed in 0..500 {
            let code = sample(seed);
            let symbols: Vec<char> = code.as_str().chars().filter(|&c| c != '-').collect();
            for i in 0..symbols.len() - 1 {
                if symbols[i] == symbols[i + 1] {
                    continue;
                }
                let mut swapped = symbols.clone();
                swapped.swap(i, i + 1);
                let typed: String = swapped.into_iter().collect();
                assert!(
                    TrackingCode::parse(&typed).is_err(),
                    "{typed} was accepted for {code}"
                );
            }
        }
    }

    #[test]
    fn wrong_lengths_and_foreign_symbols_are_malformed() {
        let code = sample(3);
        assert_eq!(
            TrackingCode::parse(&code.as_str()[..10]),
            Err(CodeError::Malformed)
        );
        assert_eq!(
            TrackingCode::parse(&format!("{code}7")),
            Err(CodeError::Malformed)
        );
        assert_eq!(
            TrackingCode::parse("BDG-7K3Q-XP9M-2HT4-WQ5U"),
            Err(CodeError::Malformed)
        );
        assert_eq!(
            TrackingCode::parse("BDG-7K3Q-XP9M-2HT4-WQ5é"),
            Err(CodeError::Malformed)
        );
        assert_eq!(TrackingCode::parse(""), Err(CodeError::Malformed));
        assert_eq!(
            TrackingCode::parse("123-7K3Q-XP9M-2HT4-WQ5R"),
            Err(CodeError::Malformed)
        );
    }

    #[test]
    fn the_documented_example_is_a_real_code() {
        assert!(TrackingCode::parse("BDG-7K3Q-XP9M-2HT4-WQ5B").is_ok());
        assert_eq!(
            TrackingCode::parse("BDG-7K3Q-XP9M-2HT4-WQ5R"),
            Err(CodeError::Mistyped)
        );
    }

    #[test]
    fn prefixes_are_three_unambiguous_letters() {
        assert!(is_valid_prefix("DPS"));
        assert!(!is_valid_prefix("BLI"));
        assert!(!is_valid_prefix("BD"));
        assert!(!is_valid_prefix("bdg"));
        assert!(TrackingCode::generate("BUL", 1).is_none());
    }
}
