//! The steps from one schema to another: what `migrate generate` writes into the next
//! migration, from what the migrations make to what the resources declare.

use std::collections::{BTreeMap, BTreeSet};

use super::describe::{describe, destruction};
use super::model::{Column, ForeignKey, Schema, Table};
use super::state::apply;
use super::step::Step;

/// The steps of a migration: `up` changes `from` into `to`, `down` reverts `up`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    /// The steps `migrate up` runs.
    pub up: Vec<Step>,
    /// The steps `migrate down` runs: the inverse of each of `up`, in reverse order.
    pub down: Vec<Step>,
}

impl Plan {
    /// Whether the schemas were the same.
    pub fn is_empty(&self) -> bool {
        self.up.is_empty()
    }
}

/// What a plan may do beyond the safe changes.
///
/// ```
/// use ferrest::migrate::PlanOptions;
/// let options = PlanOptions::default()
///     .destructive(true)
///     .backfill("books.isbn=''")?;
/// assert_eq!(options.backfill[&("books".into(), "isbn".into())], "''");
/// # Ok::<(), String>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlanOptions {
    /// Allows steps that lose data: dropping a table or a column.
    pub destructive: bool,
    /// What rows get (SQL), by table and column, where a `NOT NULL` column would find
    /// them without a value: a new column without a default, a nullable column made
    /// `NOT NULL` (its rows holding `NULL`), and, for `down`, a dropped column without
    /// a default added back.
    pub backfill: BTreeMap<(String, String), String>,
}

impl PlanOptions {
    /// Allows (or not) dropping tables and columns.
    pub fn destructive(mut self, allowed: bool) -> Self {
        self.destructive = allowed;
        self
    }

    /// Adds a backfill written `table.column=SQL`, as `migrate generate --backfill`
    /// takes it.
    pub fn backfill(mut self, entry: &str) -> Result<Self, String> {
        let malformed = || format!("`{entry}` is not a backfill: write `table.column=SQL`");
        let (target, sql) = entry.split_once('=').ok_or_else(malformed)?;
        let (table, column) = target.trim().split_once('.').ok_or_else(malformed)?;
        let sql = sql.trim();
        if table.is_empty() || column.is_empty() || sql.is_empty() {
            return Err(malformed());
        }
        self.backfill
            .insert((table.to_owned(), column.to_owned()), sql.to_owned());
        Ok(self)
    }
}

/// Why a plan was refused: every problem at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanError {
    /// One sentence each.
    pub problems: Vec<String>,
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.problems.join("\n"))
    }
}

impl std::error::Error for PlanError {}

/// The steps that change `from` into `to`, and back.
///
/// Renames come only from a column's `renamed_from` (`#[rest(renamed_from = "old")]`);
/// a column that disappears while another appears is a drop and an add. Dropping a
/// table or column needs [`PlanOptions::destructive`]. Adding a `NOT NULL` column
/// without a default to an existing table, or making a nullable column `NOT NULL`,
/// needs a [`PlanOptions::backfill`]: the rows there need a value, which, for the
/// second, a [`Step::Backfill`] writes before the column changes. A dropped `NOT NULL`
/// column without a default comes back in `down` with its backfill if one is given;
/// without one, re-adding it fails on a table with rows, and the file says so. The
/// same inputs always give the same plan.
///
/// ```
/// use ferrest::migrate::*;
/// let before = Schema::default();
/// let mut after = Schema::default();
/// after.tables.insert("tags".into(), Table::new("tags")
///     .column(Column::new("id", ColumnType::BigInteger).primary_key().auto_increment()));
/// let plan = plan(&before, &after, &PlanOptions::default()).unwrap();
/// assert_eq!(plan.up, [Step::CreateTable(after.tables["tags"].clone())]);
/// assert_eq!(plan.down, [Step::DropTable("tags".into())]);
/// ```
pub fn plan(from: &Schema, to: &Schema, options: &PlanOptions) -> Result<Plan, PlanError> {
    let mut problems = Vec::new();
    // The backfills some step uses; any other is a mistake worth naming.
    let mut backfilled: BTreeSet<(String, String)> = BTreeSet::new();
    // The steps in the order they run, each with the schema it applies to, which its
    // inverse needs (what a dropped column was, say).
    let mut up: Vec<(Step, Option<Step>)> = Vec::new();
    let kept: Vec<(&Table, &Table)> = from
        .tables
        .values()
        .filter_map(|old| Some((old, to.tables.get(&old.name)?)))
        .collect();

    let renames: Vec<Step> = kept
        .iter()
        .flat_map(|(old, new)| renames(old, new))
        .collect();
    // `from` with the renames done: columns, indexes and keys compare by their new names.
    let mut renamed = from.clone();
    for step in &renames {
        apply(&mut renamed, step).expect("a rename found in `from` applies to it");
    }

    // Keys and indexes that change go first, before the columns they use change.
    for (old, new) in &kept {
        let old_renamed = &renamed.tables[&old.name];
        for key in &old_renamed.foreign_keys {
            if !new.foreign_keys.contains(key) {
                let original = old.foreign_keys.iter().find(|k| k.name == key.name);
                up.push((
                    Step::DropForeignKey {
                        table: old.name.clone(),
                        name: key.name.clone(),
                    },
                    original.map(|key| Step::AddForeignKey {
                        table: old.name.clone(),
                        key: key.clone(),
                    }),
                ));
            }
        }
    }
    for (old, new) in &kept {
        let old_renamed = &renamed.tables[&old.name];
        for index in &old_renamed.indexes {
            if !new.indexes.contains(index) {
                let original = old.indexes.iter().find(|i| i.name == index.name);
                up.push((
                    Step::DropIndex {
                        table: old.name.clone(),
                        name: index.name.clone(),
                    },
                    original.map(|index| Step::AddIndex {
                        table: old.name.clone(),
                        index: index.clone(),
                    }),
                ));
            }
        }
    }
    for step in renames {
        let Step::RenameColumn { table, from, to } = &step else {
            unreachable!("`renames` gives renames")
        };
        let inverse = Step::RenameColumn {
            table: table.clone(),
            from: to.clone(),
            to: from.clone(),
        };
        up.push((step, Some(inverse)));
    }

    // New tables, each after the tables its keys refer to.
    let created: Vec<&Table> = to
        .tables
        .values()
        .filter(|t| !from.tables.contains_key(&t.name))
        .collect();
    let mut deferred_keys = Vec::new();
    let mut made: BTreeSet<&str> = BTreeSet::new();
    for original in creation_order(&created) {
        let mut table = clean(original);
        // A key to a table created later (a cycle) is added once both exist.
        let (now, later): (Vec<ForeignKey>, Vec<ForeignKey>) =
            table.foreign_keys.drain(..).partition(|k| {
                k.ref_table == table.name
                    || !created.iter().any(|t| t.name == k.ref_table)
                    || made.contains(k.ref_table.as_str())
            });
        table.foreign_keys = now;
        deferred_keys.extend(later.into_iter().map(|key| (table.name.clone(), key)));
        made.insert(original.name.as_str());
        let inverse = Step::DropTable(table.name.clone());
        up.push((Step::CreateTable(table), Some(inverse)));
    }

    // Columns of the tables both have: added, altered, then dropped.
    for (old, new) in &kept {
        let old = &renamed.tables[&old.name];
        for column in &new.columns {
            let column = clean_column(column);
            match old.find_column(&column.name) {
                None => {
                    let key = (new.name.clone(), column.name.clone());
                    let backfill = options.backfill.get(&key).cloned();
                    if needs_backfill(&column) && backfill.is_some() {
                        backfilled.insert(key);
                    }
                    if needs_backfill(&column) && backfill.is_none() {
                        problems.push(format!(
                            "table `{}`: the new column `{}` is NOT NULL without a default, and \
                             the table may have rows: give it `#[rest(default = ...)]`, make it \
                             an `Option<T>`, or backfill the rows (`--backfill {}.{}=SQL`, \
                             `PlanOptions::backfill`)",
                            new.name, column.name, new.name, column.name
                        ));
                    }
                    let inverse = Step::DropColumn {
                        table: new.name.clone(),
                        column: column.name.clone(),
                    };
                    let backfill = backfill.filter(|_| needs_backfill(&column));
                    up.push((
                        Step::AddColumn {
                            table: new.name.clone(),
                            column,
                            backfill,
                        },
                        Some(inverse),
                    ));
                }
                Some(current) if *current != column => {
                    if current.primary_key != column.primary_key
                        || current.auto_increment != column.auto_increment
                    {
                        problems.push(format!(
                            "table `{}`: column `{}` changes its primary key or numbering, \
                             which a migration cannot do in place: write the steps by hand",
                            new.name, column.name
                        ));
                    }
                    if current.nullable && !column.nullable {
                        // Rows may hold NULL, which `NOT NULL` refuses (MySQL outside
                        // strict mode turns them into `0` or `''`); a default does not
                        // change rows already there.
                        let key = (new.name.clone(), column.name.clone());
                        match options.backfill.get(&key) {
                            Some(sql) => {
                                up.push((
                                    Step::Backfill {
                                        table: new.name.clone(),
                                        column: column.name.clone(),
                                        sql: sql.clone(),
                                    },
                                    None,
                                ));
                                backfilled.insert(key);
                            }
                            None => problems.push(format!(
                                "table `{}`: column `{}` becomes NOT NULL, and rows may hold \
                                 NULL, which a default does not change: backfill them \
                                 (`--backfill {}.{}=SQL`, `PlanOptions::backfill`), or keep it \
                                 an `Option<T>`",
                                new.name, column.name, new.name, column.name
                            )),
                        }
                    }
                    let inverse = Step::AlterColumn {
                        table: new.name.clone(),
                        column: current.clone(),
                    };
                    up.push((
                        Step::AlterColumn {
                            table: new.name.clone(),
                            column,
                        },
                        Some(inverse),
                    ));
                }
                Some(_) => {}
            }
        }
    }
    for (old, new) in &kept {
        let old = &renamed.tables[&old.name];
        for column in &old.columns {
            if new.find_column(&column.name).is_none() {
                // Adding it back in `down` needs a value for the rows there; without
                // one the generated file marks the step (see `render`).
                let key = (old.name.clone(), column.name.clone());
                let backfill = options
                    .backfill
                    .get(&key)
                    .filter(|_| needs_backfill(column))
                    .cloned();
                if backfill.is_some() {
                    backfilled.insert(key);
                }
                up.push((
                    Step::DropColumn {
                        table: old.name.clone(),
                        column: column.name.clone(),
                    },
                    Some(Step::AddColumn {
                        table: old.name.clone(),
                        column: column.clone(),
                        backfill,
                    }),
                ));
            }
        }
    }

    // Indexes and keys that are new or changed, once their columns exist.
    for (old, new) in &kept {
        let old = &renamed.tables[&old.name];
        for index in &new.indexes {
            if !old.indexes.contains(index) {
                up.push((
                    Step::AddIndex {
                        table: new.name.clone(),
                        index: index.clone(),
                    },
                    Some(Step::DropIndex {
                        table: new.name.clone(),
                        name: index.name.clone(),
                    }),
                ));
            }
        }
    }
    let changed_keys = kept.iter().flat_map(|(old, new)| {
        let old = &renamed.tables[&old.name];
        new.foreign_keys
            .iter()
            .filter(|key| !old.foreign_keys.contains(key))
            .map(|key| (new.name.clone(), key.clone()))
    });
    for (table, key) in changed_keys
        .collect::<Vec<_>>()
        .into_iter()
        .chain(deferred_keys)
    {
        let inverse = Step::DropForeignKey {
            table: table.clone(),
            name: key.name.clone(),
        };
        up.push((Step::AddForeignKey { table, key }, Some(inverse)));
    }

    // Tables no longer declared, each before the tables its keys refer to.
    let dropped: Vec<&Table> = from
        .tables
        .values()
        .filter(|t| !to.tables.contains_key(&t.name))
        .collect();
    for table in creation_order(&dropped).into_iter().rev() {
        up.push((
            Step::DropTable(table.name.clone()),
            Some(Step::CreateTable(table.clone())),
        ));
    }

    for (table, column) in options.backfill.keys() {
        if !backfilled.contains(&(table.clone(), column.clone())) {
            problems.push(format!(
                "the backfill of `{table}.{column}` is for no column that needs one: a new \
                 or dropped NOT NULL column without a default, or one that becomes NOT NULL"
            ));
        }
    }
    if !options.destructive {
        let destructive: Vec<String> = up
            .iter()
            .filter(|(step, _)| destruction(step).is_some())
            .map(|(step, _)| describe(step))
            .collect();
        if !destructive.is_empty() {
            problems.push(format!(
                "the change loses data ({}): allow it with `--destructive` \
                 (`PlanOptions::destructive`), or keep what is dropped declared",
                destructive.join(", ")
            ));
        }
    }
    if !problems.is_empty() {
        return Err(PlanError { problems });
    }
    let down = up
        .iter()
        .rev()
        .filter_map(|(_, inverse)| inverse.clone())
        .collect();
    Ok(Plan {
        up: up.into_iter().map(|(step, _)| step).collect(),
        down,
    })
}

/// The renames `new` declares of columns `old` has under their former names.
fn renames(old: &Table, new: &Table) -> Vec<Step> {
    new.columns
        .iter()
        .filter_map(|column| {
            let former = column.renamed_from.as_ref()?;
            let renamed = old.find_column(former).is_some()
                && old.find_column(&column.name).is_none()
                && new.find_column(former).is_none();
            renamed.then(|| Step::RenameColumn {
                table: new.name.clone(),
                from: former.clone(),
                to: column.name.clone(),
            })
        })
        .collect()
}

/// Rows already there need a value the column cannot give them.
pub(crate) fn needs_backfill(column: &Column) -> bool {
    !column.nullable && column.default.is_none() && !column.auto_increment
}

/// `tables` ordered so that each comes after the tables its keys refer to, by name
/// otherwise; tables in a cycle come last, by name.
fn creation_order<'a>(tables: &[&'a Table]) -> Vec<&'a Table> {
    let names: BTreeSet<&str> = tables.iter().map(|t| t.name.as_str()).collect();
    let mut waiting: BTreeMap<&str, BTreeSet<&str>> = tables
        .iter()
        .map(|t| {
            let refs = t
                .foreign_keys
                .iter()
                .map(|k| k.ref_table.as_str())
                .filter(|r| *r != t.name && names.contains(r))
                .collect();
            (t.name.as_str(), refs)
        })
        .collect();
    let mut order = Vec::new();
    while let Some(ready) = waiting
        .iter()
        .find(|(_, refs)| refs.is_empty())
        .map(|(name, _)| *name)
    {
        waiting.remove(ready);
        for refs in waiting.values_mut() {
            refs.remove(ready);
        }
        order.push(ready);
    }
    order.extend(waiting.keys());
    order
        .into_iter()
        .map(|name| *tables.iter().find(|t| t.name == name).expect("listed"))
        .collect()
}

/// A table as a migration states it: without `renamed_from`.
fn clean(table: &Table) -> Table {
    let mut table = table.clone();
    table.columns = table.columns.iter().map(clean_column).collect();
    table
}

fn clean_column(column: &Column) -> Column {
    Column {
        renamed_from: None,
        ..column.clone()
    }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
