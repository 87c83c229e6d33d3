//! Lays out the expressions of a generated migration the way rustfmt does with its
//! default settings, so that a generated file is already `cargo fmt` clean and the
//! first diff a reviewer sees is the one they make. Only the shapes migration files
//! use: calls, method chains, struct literals and arrays.

/// rustfmt's `max_width`.
const MAX_WIDTH: usize = 100;
/// rustfmt's `fn_call_width`: the widest argument list kept on one line.
const CALL_WIDTH: usize = 60;
/// rustfmt's `struct_lit_width`: the widest struct literal body kept on one line.
const STRUCT_WIDTH: usize = 18;
/// rustfmt's `chain_width`: the widest method chain kept on one line.
const CHAIN_WIDTH: usize = 60;
/// rustfmt's `array_width`: the widest array kept on one line.
const ARRAY_WIDTH: usize = 60;
const INDENT: usize = 4;

/// An expression of a migration file.
#[derive(Debug, Clone)]
pub(crate) enum Expr {
    /// Written as is: `"books".into()`, `None`, `ColumnType::Text`.
    Atom(String),
    /// `callee(args)`.
    Call(String, Vec<Expr>),
    /// `base.method(args).method(args)`.
    Chain(Box<Expr>, Vec<(String, Vec<Expr>)>),
    /// `Path { field: value }`.
    Struct(String, Vec<(String, Expr)>),
    /// `[items]`, each with the comment lines above it.
    Array(Vec<(Vec<String>, Expr)>),
}

impl Expr {
    pub(crate) fn atom(text: impl Into<String>) -> Expr {
        Expr::Atom(text.into())
    }

    pub(crate) fn call(callee: impl Into<String>, args: Vec<Expr>) -> Expr {
        Expr::Call(callee.into(), args)
    }

    /// `self.method(args)`, extending a chain.
    pub(crate) fn method(self, method: &str, args: Vec<Expr>) -> Expr {
        match self {
            Expr::Chain(base, mut calls) => {
                calls.push((method.to_owned(), args));
                Expr::Chain(base, calls)
            }
            base => Expr::Chain(Box::new(base), vec![(method.to_owned(), args)]),
        }
    }

    /// On one line, or `None` where rustfmt would break it whatever the room.
    fn flat(&self) -> Option<String> {
        Some(match self {
            Expr::Atom(text) => text.clone(),
            Expr::Call(callee, args) => {
                let args = flat_list(args)?;
                if args.len() > CALL_WIDTH {
                    return None;
                }
                format!("{callee}({args})")
            }
            Expr::Chain(base, calls) => {
                let mut text = base.flat()?;
                for (method, args) in calls {
                    let args = flat_list(args)?;
                    if args.len() > CALL_WIDTH {
                        return None;
                    }
                    text.push_str(&format!(".{method}({args})"));
                }
                // rustfmt holds a chain of one call to the line's width only.
                if calls.len() > 1 && text.len() > CHAIN_WIDTH {
                    return None;
                }
                text
            }
            Expr::Struct(path, fields) => {
                let body = fields
                    .iter()
                    .map(|(name, value)| Some(format!("{name}: {}", value.flat()?)))
                    .collect::<Option<Vec<_>>>()?
                    .join(", ");
                if body.len() > STRUCT_WIDTH {
                    return None;
                }
                format!("{path} {{ {body} }}")
            }
            Expr::Array(items) => {
                if items.iter().any(|(comments, _)| !comments.is_empty()) {
                    return None;
                }
                let items = items.iter().map(|(_, e)| e.clone()).collect::<Vec<_>>();
                let body = flat_list(&items)?;
                if body.len() > ARRAY_WIDTH {
                    return None;
                }
                format!("[{body}]")
            }
        })
    }

    /// Laid out at `indent`, starting after `used` columns of its first line and
    /// followed by `tail` (`,` or `;`, say) on its last.
    pub(crate) fn layout(&self, indent: usize, used: usize, tail: usize) -> String {
        if let Some(flat) = self.flat()
            && used + flat.len() + tail <= MAX_WIDTH
        {
            return flat;
        }
        match self {
            Expr::Atom(text) => text.clone(),
            Expr::Call(callee, args) => {
                let open = format!("{callee}(");
                call_args(&open, ")", args, indent, used, tail)
            }
            Expr::Chain(base, calls) => {
                let mut text = base.layout(indent, used, 0);
                let inner = indent + INDENT;
                for (i, (method, args)) in calls.iter().enumerate() {
                    let last_tail = if i + 1 == calls.len() { tail } else { 0 };
                    let open = format!(".{method}(");
                    let laid = call_args(&open, ")", args, inner, inner, last_tail);
                    text.push('\n');
                    text.push_str(&" ".repeat(inner));
                    text.push_str(&laid);
                }
                text
            }
            Expr::Struct(path, fields) => {
                let inner = indent + INDENT;
                let mut text = format!("{path} {{\n");
                for (name, value) in fields {
                    let prefix = format!("{name}: ");
                    let laid = value.layout(inner, inner + prefix.len(), 1);
                    text.push_str(&format!("{}{prefix}{laid},\n", " ".repeat(inner)));
                }
                text.push_str(&" ".repeat(indent));
                text.push('}');
                text
            }
            Expr::Array(items) => {
                let plain = items.iter().all(|(comments, _)| comments.is_empty());
                if plain
                    && let [(_, only)] = items.as_slice()
                    && let Some(overflowed) = overflow(only, true, indent, used + 1, tail + 1)
                {
                    return format!("[{overflowed}]");
                }
                let inner = indent + INDENT;
                if let Some(packed) = packed(items, inner) {
                    return format!("[\n{packed}{}]", " ".repeat(indent));
                }
                let mut text = "[\n".to_owned();
                for (comments, item) in items {
                    for comment in comments {
                        text.push_str(&format!("{}// {comment}\n", " ".repeat(inner)));
                    }
                    let laid = item.layout(inner, inner, 1);
                    text.push_str(&format!("{}{laid},\n", " ".repeat(inner)));
                }
                text.push_str(&" ".repeat(indent));
                text.push(']');
                text
            }
        }
    }
}

/// `open args close`: on one line; or with the last argument overflowing from the
/// first line (`.up([`, `Step::CreateTable(` ... `)`); or one argument a line.
fn call_args(
    open: &str,
    close: &str,
    args: &[Expr],
    indent: usize,
    used: usize,
    tail: usize,
) -> String {
    // rustfmt holds a call's arguments to `fn_call_width`, except a single one, which
    // may take the rest of the line.
    if let Some(flat) = flat_list(args)
        && (flat.len() <= CALL_WIDTH || args.len() == 1)
        && used + open.len() + flat.len() + close.len() + tail <= MAX_WIDTH
    {
        return format!("{open}{flat}{close}");
    }
    if let Some((last, rest)) = args.split_last()
        && let Some(rest) = flat_list(rest)
    {
        let lead = if rest.is_empty() {
            String::new()
        } else {
            format!("{rest}, ")
        };
        let start = used + open.len() + lead.len();
        if start <= MAX_WIDTH
            && lead.len() <= CALL_WIDTH
            && let Some(overflowed) =
                overflow(last, args.len() == 1, indent, start, close.len() + tail)
        {
            return format!("{open}{lead}{overflowed}{close}");
        }
    }
    let inner = indent + INDENT;
    let mut text = format!("{open}\n");
    for arg in args {
        let laid = arg.layout(inner, inner, 1);
        text.push_str(&format!("{}{laid},\n", " ".repeat(inner)));
    }
    text.push_str(&" ".repeat(indent));
    text.push_str(close);
    text
}

/// The last argument laid out from the end of the line its call starts, where rustfmt
/// lets it begin there: a struct literal, an array of more than plain values, or (as
/// the only argument) a call, each opening there and closing at the call's indent.
fn overflow(expr: &Expr, only: bool, indent: usize, used: usize, tail: usize) -> Option<String> {
    let laid = match expr {
        Expr::Struct(..) => expr.layout(indent, used, tail),
        Expr::Array(items) if !items.iter().all(|(_, item)| matches!(item, Expr::Atom(_))) => {
            expr.layout(indent, used, tail)
        }
        Expr::Call(callee, args) if only => {
            call_args(&format!("{callee}("), ")", args, indent, used, tail)
        }
        _ => return None,
    };
    let first = laid.lines().next().unwrap_or_default();
    (laid.contains('\n') && used + first.len() <= MAX_WIDTH).then_some(laid)
}

/// rustfmt's `short_array_element_width_threshold`: arrays of items no wider are
/// packed several to a line.
const SHORT_ITEM: usize = 10;

/// The items of an array of short plain values, packed as many to a line as fit, as
/// rustfmt lays them out; `None` for other arrays.
fn packed(items: &[(Vec<String>, Expr)], indent: usize) -> Option<String> {
    let mut lines: Vec<String> = Vec::new();
    for (comments, item) in items {
        let Expr::Atom(text) = item else { return None };
        if !comments.is_empty() || text.len() > SHORT_ITEM || items.len() < 2 {
            return None;
        }
        match lines.last_mut() {
            // ` text,` after the line so far.
            Some(line) if indent + line.len() + text.len() + 2 <= MAX_WIDTH => {
                line.push_str(&format!(" {text},"));
            }
            _ => lines.push(format!("{text},")),
        }
    }
    Some(
        lines
            .iter()
            .map(|line| format!("{}{line}\n", " ".repeat(indent)))
            .collect(),
    )
}

fn flat_list(exprs: &[Expr]) -> Option<String> {
    Some(
        exprs
            .iter()
            .map(Expr::flat)
            .collect::<Option<Vec<_>>>()?
            .join(", "),
    )
}
