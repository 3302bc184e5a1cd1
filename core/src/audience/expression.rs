//! Label expressions: `Interesse-Make-up AND Kaufphase-Abgeschlossen AND NOT
//! Produktkategorie-Lippenstift` (seed 003).
//!
//! Grammar, loosest first: `OR`, `AND`, `NOT`, then a label name or a bracketed
//! expression. Keywords are matched in any case and also in German (`UND`,
//! `ODER`, `NICHT`, as the seed writes them). A name is a run of characters
//! without spaces, brackets or quotes; a name with spaces or one spelled like a
//! keyword is quoted: `"Kaufphase - Abgeschlossen"` (also `„…“` and `“…”`, with
//! `\"` and `\\` inside). Errors give the 1-based character column.

use std::fmt;

/// A parsed label expression.
///
/// # Examples
/// ```
/// use sendlint::audience::Expression;
/// let expression: Expression = r#"VIP AND NOT "Kaufphase - Abgeschlossen""#.parse()?;
/// assert_eq!(expression.labels().collect::<Vec<_>>(), ["VIP", "Kaufphase - Abgeschlossen"]);
/// let err = "VIP AND (Neukunde OR".parse::<Expression>().unwrap_err();
/// assert_eq!(err.column, 21);
/// # Ok::<(), sendlint::audience::ExpressionError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expression {
    source: String,
    pub(crate) root: Node,
}

/// A node of a parsed expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Node {
    /// A label name and the column it starts at.
    Label(String, usize),
    Not(Box<Node>),
    And(Vec<Node>),
    Or(Vec<Node>),
}

/// Why an expression cannot be used, and where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("label expression {expression:?}, column {column}: {message}")]
#[non_exhaustive]
pub struct ExpressionError {
    /// The expression as given.
    pub expression: String,
    /// 1-based character column of the problem (one past the end for a missing part).
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl ExpressionError {
    pub(crate) fn new(expression: &str, column: usize, message: impl Into<String>) -> Self {
        ExpressionError {
            expression: expression.to_owned(),
            column,
            message: message.into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Open,
    Close,
    And,
    Or,
    Not,
    Name(String),
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Token::Open => "\"(\"".to_owned(),
            Token::Close => "\")\"".to_owned(),
            Token::And => "AND".to_owned(),
            Token::Or => "OR".to_owned(),
            Token::Not => "NOT".to_owned(),
            Token::Name(name) => format!("label {name:?}"),
        }
    }
}

/// Longest expression accepted, in characters: a guard against stack depth and
/// time on hostile input (hand-written targets are far shorter).
const MAX_CHARS: usize = 10_000;
/// Deepest nesting of brackets and NOTs.
const MAX_DEPTH: usize = 64;

fn is_open_quote(c: char) -> bool {
    matches!(c, '"' | '„' | '“')
}

fn is_close_quote(c: char) -> bool {
    matches!(c, '"' | '“' | '”')
}

fn tokens(source: &str) -> Result<Vec<(Token, usize)>, ExpressionError> {
    let chars: Vec<char> = source.chars().collect();
    let error = |column: usize, message: String| ExpressionError::new(source, column, message);
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let column = i + 1;
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' {
            out.push((Token::Open, column));
            i += 1;
        } else if c == ')' {
            out.push((Token::Close, column));
            i += 1;
        } else if is_open_quote(c) {
            let mut name = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => {
                        return Err(error(
                            column,
                            "the quoted label name is never closed".to_owned(),
                        ))
                    }
                    Some('\\') if matches!(chars.get(i + 1), Some('"' | '\\')) => {
                        name.push(chars[i + 1]);
                        i += 2;
                    }
                    Some(&q) if is_close_quote(q) => {
                        i += 1;
                        break;
                    }
                    Some(&other) => {
                        name.push(other);
                        i += 1;
                    }
                }
            }
            if name.trim().is_empty() {
                return Err(error(column, "empty label name".to_owned()));
            }
            out.push((Token::Name(name.trim().to_owned()), column));
        } else {
            let start = i;
            while i < chars.len()
                && !chars[i].is_whitespace()
                && !matches!(chars[i], '(' | ')')
                && !is_open_quote(chars[i])
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let token = match word.to_uppercase().as_str() {
                "AND" | "UND" => Token::And,
                "OR" | "ODER" => Token::Or,
                "NOT" | "NICHT" => Token::Not,
                _ => Token::Name(word),
            };
            out.push((token, column));
        }
    }
    Ok(out)
}

struct Parser<'s> {
    source: &'s str,
    tokens: Vec<(Token, usize)>,
    next: usize,
    end_column: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next).map(|(t, _)| t)
    }

    fn column(&self) -> usize {
        self.tokens
            .get(self.next)
            .map_or(self.end_column, |(_, c)| *c)
    }

    fn error(&self, message: impl Into<String>) -> ExpressionError {
        ExpressionError::new(self.source, self.column(), message)
    }

    fn or(&mut self, depth: usize) -> Result<Node, ExpressionError> {
        let mut items = vec![self.and(depth)?];
        while self.peek() == Some(&Token::Or) {
            self.next += 1;
            items.push(self.and(depth)?);
        }
        Ok(if items.len() == 1 {
            items.pop().expect("one item")
        } else {
            Node::Or(items)
        })
    }

    fn and(&mut self, depth: usize) -> Result<Node, ExpressionError> {
        let mut items = vec![self.unary(depth)?];
        while self.peek() == Some(&Token::And) {
            self.next += 1;
            items.push(self.unary(depth)?);
        }
        Ok(if items.len() == 1 {
            items.pop().expect("one item")
        } else {
            Node::And(items)
        })
    }

    fn unary(&mut self, depth: usize) -> Result<Node, ExpressionError> {
        if depth > MAX_DEPTH {
            return Err(self.error(format!("nested more than {MAX_DEPTH} deep")));
        }
        match self.peek().cloned() {
            Some(Token::Not) => {
                self.next += 1;
                Ok(Node::Not(Box::new(self.unary(depth + 1)?)))
            }
            Some(Token::Open) => {
                let open = self.column();
                self.next += 1;
                let inner = self.or(depth + 1)?;
                match self.peek() {
                    Some(Token::Close) => {
                        self.next += 1;
                        Ok(inner)
                    }
                    Some(other) => {
                        let found = other.describe();
                        Err(self.error(format!(
                            "expected AND, OR or \")\" (to close the bracket at column {open}), found {found}"
                        )))
                    }
                    None => Err(ExpressionError::new(
                        self.source,
                        open,
                        "this bracket is never closed",
                    )),
                }
            }
            Some(Token::Name(name)) => {
                let column = self.column();
                self.next += 1;
                Ok(Node::Label(name, column))
            }
            Some(other) => {
                let found = other.describe();
                Err(self.error(format!(
                    "expected a label name, NOT or \"(\", found {found}"
                )))
            }
            None => Err(self.error("expected a label name, NOT or \"(\", found the end")),
        }
    }
}

impl Expression {
    /// Parses an expression.
    ///
    /// # Errors
    /// [`ExpressionError`] with the column of the first problem: an empty
    /// expression, a missing operand, an unclosed bracket or quote, two names in
    /// a row (a name with spaces must be quoted), more than 10,000 characters or
    /// nesting deeper than 64.
    pub fn parse(source: &str) -> Result<Expression, ExpressionError> {
        let length = source.chars().count();
        if length > MAX_CHARS {
            return Err(ExpressionError::new(
                source,
                MAX_CHARS + 1,
                format!("longer than {MAX_CHARS} characters"),
            ));
        }
        let tokens = tokens(source)?;
        if tokens.is_empty() {
            return Err(ExpressionError::new(
                source,
                1,
                "the expression is empty; name at least one label",
            ));
        }
        let mut parser = Parser {
            source,
            tokens,
            next: 0,
            end_column: length + 1,
        };
        let root = parser.or(0)?;
        if let Some(token) = parser.peek() {
            let message = match token {
                Token::Name(name) => format!(
                    "label {name:?} follows another without AND or OR (quote a name with spaces: \"Hohe Aktivität\")"
                ),
                Token::Close => "\")\" without a matching \"(\"".to_owned(),
                other => format!("unexpected {}", other.describe()),
            };
            return Err(parser.error(message));
        }
        Ok(Expression {
            source: source.to_owned(),
            root,
        })
    }

    /// The expression as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The label names it mentions, in order of appearance (repeats included).
    pub fn labels(&self) -> impl Iterator<Item = &str> {
        let mut names = Vec::new();
        collect(&self.root, &mut names);
        names.into_iter()
    }
}

fn collect<'n>(node: &'n Node, names: &mut Vec<&'n str>) {
    match node {
        Node::Label(name, _) => names.push(name),
        Node::Not(inner) => collect(inner, names),
        Node::And(items) | Node::Or(items) => items.iter().for_each(|n| collect(n, names)),
    }
}

impl std::str::FromStr for Expression {
    type Err = ExpressionError;

    fn from_str(source: &str) -> Result<Expression, ExpressionError> {
        Expression::parse(source)
    }
}

impl fmt::Display for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(name: &str, column: usize) -> Node {
        Node::Label(name.to_owned(), column)
    }

    #[test]
    fn precedence_is_not_then_and_then_or() {
        let e = Expression::parse("A OR B AND NOT C").unwrap();
        assert_eq!(
            e.root,
            Node::Or(vec![
                label("A", 1),
                Node::And(vec![label("B", 6), Node::Not(Box::new(label("C", 16)))])
            ])
        );
        let bracketed = Expression::parse("(A OR B) and not C").unwrap();
        assert_eq!(
            bracketed.root,
            Node::And(vec![
                Node::Or(vec![label("A", 2), label("B", 7)]),
                Node::Not(Box::new(label("C", 18)))
            ])
        );
    }

    #[test]
    fn seed_003_expression_and_quoted_names() {
        let e = Expression::parse(
            "Interesse-Make-up UND Kaufphase-Abgeschlossen UND NICHT Produktkategorie-Lippenstift",
        )
        .unwrap();
        assert_eq!(
            e.labels().collect::<Vec<_>>(),
            [
                "Interesse-Make-up",
                "Kaufphase-Abgeschlossen",
                "Produktkategorie-Lippenstift"
            ]
        );
        let quoted =
            Expression::parse(r#""Kaufphase - Abgeschlossen" AND „Hohe Aktivität“ AND "OR""#)
                .unwrap();
        assert_eq!(
            quoted.labels().collect::<Vec<_>>(),
            ["Kaufphase - Abgeschlossen", "Hohe Aktivität", "OR"]
        );
        let escaped = Expression::parse(r#""Say \"hi\"""#).unwrap();
        assert_eq!(escaped.labels().collect::<Vec<_>>(), ["Say \"hi\""]);
    }

    #[test]
    fn errors_point_at_the_column() {
        for (source, column, says) in [
            ("", 1, "empty"),
            ("   ", 1, "empty"),
            ("VIP AND", 8, "found the end"),
            ("VIP AND OR Neukunde", 9, "found OR"),
            ("(VIP OR Neukunde", 1, "never closed"),
            ("(VIP OR Neukunde Stammkunde)", 18, "expected AND, OR"),
            ("VIP)", 4, "without a matching"),
            ("Hohe Aktivität", 6, "quote a name with spaces"),
            ("VIP AND \"Kaufphase", 9, "never closed"),
            ("VIP AND \"  \"", 9, "empty label name"),
            ("NOT", 4, "found the end"),
            ("()", 2, "found \")\""),
        ] {
            let err = Expression::parse(source).unwrap_err();
            assert_eq!(err.column, column, "{source:?}: {err}");
            assert!(err.message.contains(says), "{source:?}: {err}");
        }
        // Columns count characters, not bytes.
        let err = Expression::parse("Ümlaut ÄND").unwrap_err();
        assert_eq!(err.column, 8);
    }

    #[test]
    fn hostile_input_is_an_error_not_a_stack_overflow() {
        let deep = "(".repeat(3_000) + "A" + &")".repeat(3_000);
        assert!(Expression::parse(&deep)
            .unwrap_err()
            .message
            .contains("nested"));
        let nots = "NOT ".repeat(2_000) + "A";
        assert!(Expression::parse(&nots).is_err());
        let long = "A OR ".repeat(3_000) + "A";
        assert!(Expression::parse(&long)
            .unwrap_err()
            .message
            .contains("longer"));
    }
}
