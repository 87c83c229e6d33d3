//! A step in words, for the messages that name one: a failed step of a run, a failed
//! fold, a refused plan, a destructive step's comment in a generated file.

use super::step::Step;

/// `add column `books`.`subtitle``, `drop table `tags``, ...
pub(crate) fn describe(step: &Step) -> String {
    match step {
        Step::CreateTable(table) => format!("create table `{}`", table.name),
        Step::DropTable(name) => format!("drop table `{name}`"),
        Step::RenameTable { from, to } => format!("rename table `{from}` to `{to}`"),
        Step::AddColumn { table, column, .. } => {
            format!("add column `{table}`.`{}`", column.name)
        }
        Step::DropColumn { table, column } => format!("drop column `{table}`.`{column}`"),
        Step::AlterColumn { table, column } => {
            format!("alter column `{table}`.`{}`", column.name)
        }
        Step::Backfill { table, column, .. } => {
            format!("backfill the NULLs of `{table}`.`{column}`")
        }
        Step::RenameColumn { table, from, to } => {
            format!("rename column `{table}`.`{from}` to `{to}`")
        }
        Step::AddIndex { table, index } => format!("add index `{}` on `{table}`", index.name),
        Step::DropIndex { table, name } => format!("drop index `{name}` on `{table}`"),
        Step::AddForeignKey { table, key } => {
            format!("add foreign key `{}` on `{table}`", key.name)
        }
        Step::DropForeignKey { table, name } => {
            format!("drop foreign key `{name}` on `{table}`")
        }
        Step::Sql(_) => "run SQL".to_owned(),
    }
}

/// What a destructive step loses, or `None` for a step that keeps every value.
pub(crate) fn destruction(step: &Step) -> Option<String> {
    match step {
        Step::DropTable(name) => Some(format!("drops table `{name}` and its rows")),
        Step::DropColumn { table, column } => {
            Some(format!("drops column `{table}`.`{column}` and its values"))
        }
        _ => None,
    }
}
