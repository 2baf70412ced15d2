//! The import's rule for control characters in a cell: NUL and the other C0 and C1 controls
//! are refused (PostgreSQL cannot store NUL at all, and the others are invisible in a
//! spreadsheet), except tab, line feed and carriage return, which free text may hold.

/// Why a cell's text cannot be imported, naming the first refused character.
pub fn control_character(s: &str) -> Option<String> {
    s.chars().find(|c| refused(*c)).map(|c| {
        format!(
            "holds the control character U+{:04X}; remove it",
            u32::from(c)
        )
    })
}

fn refused(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_refused_except_tab_and_line_breaks() {
        assert_eq!(control_character("Sở Tư pháp\tĐiện Biên\r\n"), None);
        assert!(control_character("a\u{0}b").unwrap().contains("U+0000"));
        assert!(control_character("a\u{1b}b").unwrap().contains("U+001B"));
        assert!(control_character("a\u{85}b").unwrap().contains("U+0085"));
        assert!(control_character("a\u{7f}").unwrap().contains("U+007F"));
    }
}
