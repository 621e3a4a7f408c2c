//! The format writers: each takes a laid-out [`Grid`] and only escapes and arranges strings.

use super::{Grid, LineKind};
use crate::report::escape::csv_field;
use crate::report::table::Align;

/// Whether a rule is drawn above line `i`: below the header block, and where a row asks.
fn rule_before(g: &Grid, i: usize) -> bool {
    i > 0 && (i == g.n_header || g.lines[i].rule_above)
}

/// Group label per column (empty outside groups), stub included.
fn group_row(g: &Grid) -> Vec<String> {
    let mut row = vec![String::new(); g.aligns.len()];
    for (label, first, _) in &g.groups {
        if let Some(c) = row.get_mut(*first) {
            *c = label.clone();
        }
    }
    row
}

pub(super) fn csv(g: &Grid) -> String {
    let mut out = String::new();
    if !g.groups.is_empty() {
        let row: Vec<String> = group_row(g).iter().map(|c| csv_field(c)).collect();
        out.push_str(&row.join(","));
        out.push('\n');
    }
    for line in &g.lines {
        let row: Vec<String> = line.cells.iter().map(|c| csv_field(&c.joined())).collect();
        out.push_str(&row.join(","));
        out.push('\n');
    }
    for n in &g.notes {
        out.push_str(&csv_field(n));
        out.push('\n');
    }
    out
}

fn esc_md(s: &str) -> String {
    s.replace('\\', "\\\\").replace('|', "\\|").replace('*', "\\*").replace('_', "\\_").replace('\n', " ")
}

pub(super) fn markdown(g: &Grid) -> String {
    let mut out = String::new();
    if !g.title.is_empty() {
        out.push_str(&format!("**{}**\n\n", esc_md(&g.title)));
    }
    let mut group_of = vec![String::new(); g.aligns.len()];
    for (label, first, span) in &g.groups {
        for slot in group_of.iter_mut().skip(*first).take(*span) {
            slot.clone_from(label);
        }
    }
    for (i, line) in g.lines.iter().enumerate() {
        let mut s = String::from("|");
        for (j, c) in line.cells.iter().enumerate() {
            let text = if i == 0 && !group_of[j].is_empty() {
                format!("{} {}", group_of[j], c.joined())
            } else {
                c.joined()
            };
            s.push_str(&format!(" {} |", esc_md(&text)));
        }
        out.push_str(&s);
        out.push('\n');
        if i == 0 {
            out.push('|');
            for a in &g.aligns {
                out.push_str(match a {
                    Align::Left => ":---|",
                    Align::Center => ":---:|",
                    Align::Right => "---:|",
                });
            }
            out.push('\n');
        }
    }
    for n in &g.notes {
        out.push_str(&format!("\n{}\n", esc_md(n)));
    }
    out
}

fn esc_latex(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '&' | '%' | '$' | '#' | '_' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            '²' => out.push_str("$^2$"),
            '✓' => out.push_str("$\\checkmark$"),
            _ => out.push(c),
        }
    }
    out
}

pub(super) fn latex(g: &Grid) -> String {
    let mut out = String::from("\\begin{table}[htbp]\n\\centering\n");
    if !g.title.is_empty() {
        out.push_str(&format!("\\caption{{{}}}\n", esc_latex(&g.title)));
    }
    let spec: String = g.aligns.iter().map(|a| match a {
        Align::Left => 'l',
        Align::Center => 'c',
        Align::Right => 'r',
    }).collect();
    out.push_str(&format!("\\begin{{tabular}}{{{spec}}}\n\\toprule\n"));
    if !g.groups.is_empty() {
        let k = g.aligns.len();
        let mut cells: Vec<String> = Vec::new();
        let mut j = 0;
        while j < k {
            match g.groups.iter().find(|(_, first, _)| *first == j) {
                Some((label, _, span)) => {
                    cells.push(format!("\\multicolumn{{{span}}}{{c}}{{{}}}", esc_latex(label)));
                    j += span;
                }
                None => {
                    cells.push(String::new());
                    j += 1;
                }
            }
        }
        out.push_str(&cells.join(" & "));
        out.push_str(" \\\\\n");
        for (_, first, span) in &g.groups {
            out.push_str(&format!("\\cmidrule(lr){{{}-{}}}\n", first + 1, first + span));
        }
    }
    for (i, line) in g.lines.iter().enumerate() {
        if rule_before(g, i) {
            out.push_str("\\midrule\n");
        }
        let cells: Vec<String> = line
            .cells
            .iter()
            .map(|c| {
                if c.stars.is_empty() {
                    esc_latex(&c.text)
                } else {
                    format!("{}$^{{{}}}$", esc_latex(&c.text), esc_latex(&c.stars))
                }
            })
            .collect();
        out.push_str(&cells.join(" & "));
        out.push_str(" \\\\\n");
    }
    out.push_str("\\bottomrule\n\\end{tabular}\n");
    for (i, n) in g.notes.iter().enumerate() {
        if i == 0 {
            out.push_str(&format!("\\par\\smallskip\\footnotesize {}\n", esc_latex(n)));
        } else {
            out.push_str(&format!("\\par {}\n", esc_latex(n)));
        }
    }
    out.push_str("\\end{table}\n");
    out
}

/// HTML-escapes text (also quotes, so it is safe inside attributes).
pub(crate) fn esc_html(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

pub(super) fn html(g: &Grid) -> String {
    let k = g.aligns.len();
    let mut out = String::from(
        "<table style=\"border-collapse:collapse;border-top:2px solid black;border-bottom:2px solid black\">\n",
    );
    if !g.title.is_empty() {
        out.push_str(&format!("<caption>{}</caption>\n", esc_html(&g.title)));
    }
    if !g.groups.is_empty() {
        out.push_str("<tr>");
        let mut j = 0;
        while j < k {
            match g.groups.iter().find(|(_, first, _)| *first == j) {
                Some((label, _, span)) => {
                    out.push_str(&format!(
                        "<th colspan=\"{span}\" style=\"padding:2px 8px;text-align:center;border-bottom:1px solid black\">{}</th>",
                        esc_html(label)
                    ));
                    j += span;
                }
                None => {
                    out.push_str("<th></th>");
                    j += 1;
                }
            }
        }
        out.push_str("</tr>\n");
    }
    for (i, line) in g.lines.iter().enumerate() {
        out.push_str(if rule_before(g, i) { "<tr style=\"border-top:1px solid black\">" } else { "<tr>" });
        let tag = if line.kind == LineKind::Header { "th" } else { "td" };
        for (c, a) in line.cells.iter().zip(&g.aligns) {
            let align = match a {
                Align::Left => "left",
                Align::Center => "center",
                Align::Right => "right",
            };
            out.push_str(&format!("<{tag} style=\"padding:2px 8px;text-align:{align}\">{}</{tag}>", esc_html(&c.joined())));
        }
        out.push_str("</tr>\n");
    }
    for (i, n) in g.notes.iter().enumerate() {
        let tr = if i == 0 { "<tr style=\"border-top:1px solid black\">" } else { "<tr>" };
        out.push_str(&format!(
            "{tr}<td colspan=\"{k}\" style=\"padding:2px 8px;font-size:smaller\">{}</td></tr>\n",
            esc_html(n)
        ));
    }
    out.push_str("</table>\n");
    out
}

/// Columns a string takes in a monospaced font: two for each wide (CJK, full-width) character.
fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
            | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6 => 2,
            _ => 1,
        })
        .sum()
}

pub(super) fn text(g: &Grid) -> String {
    let width = display_width;
    let w0 = g.lines.iter().map(|l| width(&l.cells[0].joined())).max().unwrap_or(0);
    let wc = g
        .lines
        .iter()
        .flat_map(|l| l.cells.iter().skip(1).map(|c| width(&c.joined())))
        .max()
        .unwrap_or(0)
        .max(6);
    let k = g.aligns.len().saturating_sub(1);
    let rule = "-".repeat(w0 + (wc + 2) * k);
    let mut out = format!("{rule}\n");
    if !g.groups.is_empty() {
        let groups = group_row(g);
        out.push_str(&format!("{:<w0$}", ""));
        for c in groups.iter().skip(1) {
            out.push_str(&format!("  {c:>wc$}"));
        }
        out.push('\n');
    }
    for (i, line) in g.lines.iter().enumerate() {
        if rule_before(g, i) {
            out.push_str(&rule);
            out.push('\n');
        }
        let label = line.cells[0].joined();
        out.push_str(&label);
        out.push_str(&" ".repeat(w0 - width(&label)));
        for c in line.cells.iter().skip(1) {
            let s = c.joined();
            out.push_str("  ");
            out.push_str(&" ".repeat(wc - width(&s)));
            out.push_str(&s);
        }
        out.push('\n');
    }
    out.push_str(&rule);
    out.push('\n');
    for n in &g.notes {
        out.push_str(n);
        out.push('\n');
    }
    out
}

/// The grid as JSON (the `grid` format), for front ends that build their own table element.
pub(super) fn grid_json(g: &Grid) -> String {
    use serde_json::json;
    let align = |a: &Align| match a {
        Align::Left => "left",
        Align::Center => "center",
        Align::Right => "right",
    };
    let lines: Vec<_> = g
        .lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let kind = match line.kind {
                LineKind::Header => "header",
                LineKind::Body => "body",
                LineKind::Below => "below",
            };
            let cells: Vec<_> = line.cells.iter().map(|c| json!({ "text": c.text, "stars": c.stars, "value": c.value })).collect();
            json!({ "kind": kind, "rule_above": rule_before(g, i), "cells": cells })
        })
        .collect();
    json!({
        "title": g.title,
        "groups": g.groups.iter().map(|(label, first, span)| json!({ "label": label, "first": first, "span": span })).collect::<Vec<_>>(),
        "aligns": g.aligns.iter().map(align).collect::<Vec<_>>(),
        "header_lines": g.n_header,
        "lines": lines,
        "notes": g.notes,
    })
    .to_string()
}
