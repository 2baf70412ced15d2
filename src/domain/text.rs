//! What text the registry accepts.
//!
//! Two levels. Every string that reaches the server (JSON bodies, query parameters, import
//! cells) is refused when it holds a character that cannot be shown or stored faithfully: NUL
//! (PostgreSQL cannot store it at all), the other C0/C1 control characters except tab, line feed
//! and carriage return, and the bidirectional overrides that make a text display in another
//! order than it reads (CVE-2021-42574, "Trojan Source"). Names and codes, which are shown on one
//! line and compared, are further refused when they hold a tab or a line break, or nothing but
//! blanks and zero-width characters.

use validator::ValidationError;

use crate::error::{FieldCode, Text};

/// Why a string was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextProblem {
    /// A NUL, C0/C1 control character (other than tab/LF/CR) or a bidi override.
    ControlCharacter(char),
    /// A tab or line break in a one-line value.
    LineBreak,
    /// Only white space and zero-width characters.
    Blank,
}

impl TextProblem {
    /// Stable machine code for problem bodies.
    pub fn code(self) -> FieldCode {
        match self {
            TextProblem::ControlCharacter(_) => FieldCode::ControlCharacter,
            TextProblem::LineBreak => FieldCode::LineBreak,
            TextProblem::Blank => FieldCode::Blank,
        }
    }

    /// A message for people, naming the character by code point (printing it would defeat the
    /// purpose).
    pub fn message(self) -> Text {
        match self {
            TextProblem::ControlCharacter(c) => crate::text!(
                "must not contain the control or bidirectional-override character U+{0:04X}",
                "không được chứa ký tự điều khiển hoặc ký tự đảo chiều hiển thị U+{0:04X}",
                u32::from(c)
            ),
            TextProblem::LineBreak | TextProblem::Blank => self.code().text(),
        }
    }
}

/// Characters no stored or queried string may hold: C0/C1 controls except tab, LF and CR,
/// and the bidi embeddings, overrides and isolates.
pub fn is_forbidden(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that show nothing: they do not make a name non-blank.
fn is_invisible(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// The check for any text (free text included): no forbidden character.
pub fn check_text(value: &str) -> Result<(), TextProblem> {
    match value.chars().find(|&c| is_forbidden(c)) {
        Some(c) => Err(TextProblem::ControlCharacter(c)),
        None => Ok(()),
    }
}

/// The check for names, codes and usernames: `check_text`, one line, not blank (an empty
/// value passes: the field's length rule refuses it).
pub fn check_single_line(value: &str) -> Result<(), TextProblem> {
    check_text(value)?;
    if value.contains(['\t', '\n', '\r', '\u{2028}', '\u{2029}', '\u{85}']) {
        return Err(TextProblem::LineBreak);
    }
    // An empty value is left to the length rule, so that it is reported once.
    if !value.is_empty() && value.chars().all(is_invisible) {
        return Err(TextProblem::Blank);
    }
    Ok(())
}

fn to_validation(problem: TextProblem) -> ValidationError {
    crate::error::refusal(problem.code(), problem.message())
}

/// `#[validate(custom(function = "crate::domain::text::single_line_name"))]` for names, codes
/// and usernames.
pub fn single_line_name(value: &impl super::Maybe<String>) -> Result<(), ValidationError> {
    let Some(value) = value.value() else {
        return Ok(());
    };
    check_single_line(value).map_err(to_validation)
}

/// `#[validate(custom(function = "crate::domain::text::free_text"))]` for multi-line text
/// (addresses, notes): the body parser already applies it, importers call it themselves.
pub fn free_text(value: &impl super::Maybe<String>) -> Result<(), ValidationError> {
    let Some(value) = value.value() else {
        return Ok(());
    };
    check_text(value).map_err(to_validation)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_text_refuses_controls_and_bidi_overrides() {
        for bad in [
            "a\u{0}b",
            "a\u{1}",
            "\u{1b}[31m",
            "\u{7f}",
            "\u{85}",
            "\u{9f}",
            "\u{202E}txt",
            "\u{2066}",
            "\u{2069}",
        ] {
            assert!(
                matches!(check_text(bad), Err(TextProblem::ControlCharacter(_))),
                "{bad:?}"
            );
        }
        for good in [
            "",
            "Sở Công thương",
            "line\nline",
            "a\tb",
            "crlf\r\n",
            "\u{200B}",
        ] {
            assert_eq!(check_text(good), Ok(()), "{good:?}");
        }
    }

    #[test]
    fn names_are_one_visible_line() {
        assert_eq!(check_single_line("Nguyễn Văn An"), Ok(()));
        assert_eq!(check_single_line("a\tb"), Err(TextProblem::LineBreak));
        assert_eq!(check_single_line("a\nb"), Err(TextProblem::LineBreak));
        assert_eq!(check_single_line("a\u{2028}b"), Err(TextProblem::LineBreak));
        assert_eq!(check_single_line(""), Ok(()));
        for blank in [
            " ",
            "\u{a0}\u{3000}",
            "\u{200B}\u{200D}",
            "\u{FEFF}",
            " \u{2060} ",
        ] {
            assert_eq!(
                check_single_line(blank),
                Err(TextProblem::Blank),
                "{blank:?}"
            );
        }
        assert_eq!(
            check_single_line("a\u{0}"),
            Err(TextProblem::ControlCharacter('\u{0}'))
        );
        let err = single_line_name(&"\u{202E}".to_owned()).unwrap_err();
        assert_eq!(err.code, "control_character");
        assert!(err.message.unwrap().contains("U+202E"));
        assert!(
            TextProblem::ControlCharacter('\u{202E}')
                .message()
                .vi()
                .contains("U+202E")
        );
    }
}
