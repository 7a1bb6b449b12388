//! What `stack deploy` says about a plan (`--preview`) and about an apply that Docker refused.

use flotilla_app::stacks::{ApplyReport, Plan, PlanAction, PlanItem, StackObject};

/// What a refused apply did and did not do; nothing is rolled back (nor does the CLI).
pub fn failure(report: &ApplyReport) -> String {
    let listed = |items: &[PlanItem]| match items.is_empty() {
        true => "nothing".to_string(),
        false => items.iter().map(described).collect::<Vec<_>>().join(", "),
    };
    let (what, why) = report
        .failed
        .as_ref()
        .map(|(item, why)| (described(item), why.as_str()))
        .unwrap_or_default();
    format!(
        "{why}\n  failed: {what}\n  done: {}\n  not done: {}\n  nothing was rolled back",
        listed(&report.done),
        listed(&report.not_done)
    )
}

/// The plan as text: one line per object, an indented line per changed field.
pub fn preview(plan: &Plan) -> String {
    let mut out = String::new();
    for item in &plan.items {
        let action = match item.action {
            PlanAction::Create => "create",
            PlanAction::Update => "update",
            PlanAction::Unchanged => "unchanged",
            PlanAction::Remove => "remove",
        };
        let kind = kind_name(item.kind);
        out.push_str(&format!("{action:<10} {kind:<8} {}\n", item.name));
        for change in &item.changes {
            let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".into());
            let (old, new) = (shown(&change.old), shown(&change.new));
            out.push_str(&format!("    {}: {old} -> {new}\n", change.path));
        }
    }
    if plan.is_no_change() {
        out.push_str("no changes\n");
    }
    out
}

fn described(item: &PlanItem) -> String {
    let verb = match item.action {
        PlanAction::Create => "create",
        PlanAction::Update => "update",
        PlanAction::Unchanged => "check",
        PlanAction::Remove => "remove",
    };
    format!("{verb} {} {}", kind_name(item.kind), item.name)
}

fn kind_name(kind: StackObject) -> &'static str {
    match kind {
        StackObject::Network => "network",
        StackObject::Secret => "secret",
        StackObject::Config => "config",
        StackObject::Service => "service",
    }
}
