//! Purpose: parse the small condition language of `when = "budget >= 10000"`.

use super::model::{Comparison, Condition};

/// Parses `<step> <op> <value>`; the error says what is wrong in words an admin understands.
pub fn parse(text: &str) -> Result<Condition, String> {
    const OPERATORS: [(&str, Comparison); 6] = [
        (">=", Comparison::GreaterOrEqual),
        ("<=", Comparison::LessOrEqual),
        ("!=", Comparison::NotEqual),
        ("=", Comparison::Equal),
        (">", Comparison::Greater),
        ("<", Comparison::Less),
    ];
    let (position, operator, comparison) = OPERATORS
        .iter()
        .filter_map(|(symbol, comparison)| {
            text.find(symbol)
                .map(|position| (position, *symbol, *comparison))
        })
        .min_by_key(|(position, symbol, _)| (*position, std::cmp::Reverse(symbol.len())))
        .ok_or_else(|| format!("condition {text:?} has no comparison (use =, !=, <, <=, >, >=)"))?;
    let step = text[..position].trim();
    let value = text[position + operator.len()..]
        .trim()
        .trim_matches('"')
        .trim();
    if step.is_empty() || !step.chars().all(is_id_char) {
        return Err(format!(
            "condition {text:?} must start with a step id (letters, digits, _ and -)"
        ));
    }
    if value.is_empty() {
        return Err(format!("condition {text:?} has nothing to compare with"));
    }
    Ok(Condition {
        step: step.to_string(),
        op: comparison,
        value: value.to_string(),
    })
}

/// Characters allowed in step and script ids.
pub fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_operator() {
        let cases = [
            ("budget >= 10000", Comparison::GreaterOrEqual, "10000"),
            ("budget<=5", Comparison::LessOrEqual, "5"),
            ("authority = no", Comparison::Equal, "no"),
            ("need != \"browsing\"", Comparison::NotEqual, "browsing"),
            ("seats > 10", Comparison::Greater, "10"),
            ("timing < 30", Comparison::Less, "30"),
        ];
        for (text, op, value) in cases {
            let condition = parse(text).unwrap();
            assert_eq!(condition.op, op, "{text}");
            assert_eq!(condition.value, value, "{text}");
        }
    }

    #[test]
    fn rejects_malformed_conditions() {
        assert!(parse("budget").unwrap_err().contains("no comparison"));
        assert!(parse(" = 3").unwrap_err().contains("step id"));
        assert!(
            parse("budget >=")
                .unwrap_err()
                .contains("nothing to compare")
        );
        assert!(parse("my step = 3").unwrap_err().contains("step id"));
    }
}
