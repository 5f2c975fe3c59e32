//! Stitching: page [`Fragment`]s → [`Table`]s, a table running over following pages becoming one
//! table with `pages: [first, last]`.
//!
//! In: the fragments of a document in page order. Out: tables with header, roles, unit and rows read.
//! A titled fragment opens a table. An untitled fragment continues the open table when it is on the
//! next page (or the same page) and its columns line up: the same number of columns and every
//! boundary within [`ALIGN`] points, or its boundaries a subset of the table's (a 合计 row merged over
//! the code columns); a continuation read by x-positions was read with the open table's boundaries and
//! lines up by construction. A repeated header is recognised by [`super::header`] and
//! dropped (only rows whose every text is part of the table's labels count as repeated header, so a
//! first row without values is not mistaken for one); a continuation without header (and without 续表
//! marker) is read with the open table's roles. A row cut by the page break (its name's tail alone
//! on the first lines of the next page, without value, in a label column whose rows carry values)
//! is joined to the row it finishes; so is a name's head alone at the foot of a page whose tail, with
//! the values, hangs left of it at the top of the next. A title whose body starts on the next page takes its columns from
//! that page.
//!
//! A titled fragment on the next page whose title is the open table's again (a title printed at the
//! top of every page) and whose columns line up continues the table too, its repeated header dropped.
//!
//! An untitled fragment that continues nothing opens a table when its header identifies a catalog
//! table not read yet (the catalog's `header` word sets: `收入/项目 … 支出/项目 … 预算数` is a
//! 收支总表 whatever its title).
//!
//! Not here: finding fragments on a page. Limits: a continuation whose columns do not line up is
//! dropped rather than guessed (it is not a table of its own without a title).

use super::catalog::{same_title, Identifier, TitleMatch};
use super::grid::{Cell, CellGrid};
use super::header::{flatten, roles, Header, Role};
use super::regions::Fragment;
use super::rows::{merge_split_rows, read_rows, set_hierarchy};
use super::unit::{infer_from_values, Unit};
use super::Table;
use crate::amount::cell_number;

/// Largest difference (points) between column boundaries of two pages of one table.
pub(crate) const ALIGN: f32 = 4.0;

/// A table being assembled.
struct Open {
    table: Table,
    col_edges: Vec<f32>,
    roles: Vec<Role>,
    unit: Unit,
}

fn aligned(a: &[f32], b: &[f32]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= ALIGN)
}

/// The continuation grid in the open table's columns: every boundary of `grid` must be one of
/// `edges` (within [`ALIGN`]), the outer ones included; a cell merged over several of the table's
/// columns (合计 over the code columns) then spans them.
fn remap(grid: &CellGrid, edges: &[f32]) -> Option<CellGrid> {
    if aligned(&grid.col_edges, edges) {
        return Some(grid.clone());
    }
    let idx: Vec<usize> = grid
        .col_edges
        .iter()
        .map(|x| edges.iter().position(|e| (e - x).abs() <= ALIGN))
        .collect::<Option<Vec<usize>>>()?;
    if idx.first() != Some(&0)
        || idx.last() != Some(&(edges.len() - 1))
        || idx.windows(2).any(|w| w[1] <= w[0])
    {
        return None;
    }
    let cells = grid
        .cells
        .iter()
        .map(|c| Cell {
            col: idx[c.col],
            col_span: idx[(c.col + c.col_span).min(idx.len() - 1)] - idx[c.col],
            ..c.clone()
        })
        .collect();
    let mut remapped = CellGrid::new(
        grid.page,
        edges.to_vec(),
        grid.row_edges.clone(),
        cells,
        grid.ruled,
    );
    remapped.text_x = grid.text_x.clone();
    remapped.text_box = grid.text_box.clone();
    remapped.text_end = grid.text_end.clone();
    Some(remapped)
}

/// Rows at the top of a continuation that repeat the open table's header: every text in them is part
/// of one of the table's labels, whole or one line of a label wrapped in its cell (its start or its
/// end: `支出项目类别（资金使用单` and `位）` of `支出项目类别(资金使用单位)`), compared normalised.
fn repeated_header_rows(grid: &CellGrid, labels: &[String]) -> usize {
    let parts: Vec<String> = labels
        .iter()
        .flat_map(|l| l.split('/'))
        .map(squeeze)
        .filter(|p| !p.is_empty())
        .collect();
    (0..grid.n_rows())
        .take_while(|&r| {
            let texts: Vec<String> = (0..grid.n_cols())
                .map(|c| squeeze(grid.own_text(r, c)))
                .filter(|t| !t.is_empty())
                .collect();
            !texts.is_empty()
                && texts.iter().all(|t| {
                    parts
                        .iter()
                        .any(|p| p == t || p.starts_with(t.as_str()) || p.ends_with(t.as_str()))
                })
        })
        .count()
}

/// A text normalised (full-width folded) without whitespace.
fn squeeze(t: &str) -> String {
    crate::normalize::normalize_line(t)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// Unit of a fragment: declared, else inferred from the magnitudes of its money cells, else 万元.
fn unit_of(declared: Option<Unit>, money: &[String]) -> (Unit, bool) {
    if let Some(u) = declared {
        return (u, false);
    }
    let values: Vec<_> = money.iter().filter_map(|t| cell_number(t)).collect();
    (infer_from_values(&values).unwrap_or(Unit::WAN), true)
}

/// Reads the grid of a fragment into `open` (a new table or a continuation).
fn read_into(open: &mut Open, frag: &Fragment, first: bool) {
    let Some(grid) = &frag.grid else { return };
    let header: Header = flatten(grid, &open.table.title);
    if first || open.table.columns.is_empty() {
        let rs = roles(grid, &header);
        let money: Vec<String> = (header.rows..grid.n_rows())
            .flat_map(|r| {
                rs.iter()
                    .enumerate()
                    .filter(|(_, role)| **role == Role::Money)
                    .map(move |(c, _)| grid.own_text(r, c).to_string())
            })
            .collect();
        let (unit, inferred) = unit_of(frag.unit, &money);
        open.unit = unit;
        open.table.unit = unit.name().to_string();
        open.table.unit_inferred = inferred;
        open.table.columns = header.labels.clone();
        open.table.layout = if grid.ruled { "ruled" } else { "positions" }.to_string();
        open.table.column_units = rs.iter().map(|r| r.unit().to_string()).collect();
        open.roles = rs;
        open.col_edges = grid.col_edges.clone();
    }
    let header = if first {
        header
    } else {
        Header {
            rows: repeated_header_rows(grid, &open.table.columns),
            labels: open.table.columns.clone(),
        }
    };
    let last_code = open.table.rows.iter().rev().find_map(|r| r.code.clone());
    let rows = read_rows(grid, &header, &open.roles, open.unit, last_code.as_deref());
    let rows = if first {
        rows
    } else {
        merge_split_rows(&mut open.table.rows, rows, &open.roles)
    };
    open.table.rows.extend(rows);
    open.table.pages[1] = frag.page;
    if let Some(r) = grid.extent() {
        open.table.grid_rects.push((frag.page, r));
    }
}

/// A new table from its titled (or header-identified) first fragment.
fn open_table(t: &TitleMatch, frag: &Fragment) -> Open {
    let mut o = Open {
        table: Table {
            table: t.id.clone(),
            title: t.title.clone(),
            unit_declared: frag.unit.map(|u| u.name().to_string()),
            pages: [frag.page, frag.page],
            columns: Vec::new(),
            rows: Vec::new(),
            empty: false,
            empty_statement: frag.empty_statement.clone(),
            unit: Unit::WAN.name().to_string(),
            unit_inferred: frag.unit.is_none(),
            column_units: Vec::new(),
            layout: match &frag.grid {
                Some(g) if !g.ruled => "positions",
                Some(_) => "ruled",
                None => "none",
            }
            .to_string(),
            regions: Vec::new(),
            grid_rects: Vec::new(),
        },
        col_edges: Vec::new(),
        roles: Vec::new(),
        unit: frag.unit.unwrap_or(Unit::WAN),
    };
    read_into(&mut o, frag, true);
    o
}

/// Reads an untitled fragment into the open table when it continues it (next or same page, columns
/// lining up); false when it does not.
fn continue_open(open: Option<&mut Open>, frag: &Fragment) -> bool {
    let (Some(o), Some(grid)) = (open, &frag.grid) else {
        return false;
    };
    let next_page = frag.page == o.table.pages[1] + 1 || frag.page == o.table.pages[1];
    let first = o.table.columns.is_empty();
    let fitted = if first {
        Some(grid.clone())
    } else {
        remap(grid, &o.col_edges)
    };
    let (true, Some(g)) = (next_page, fitted) else {
        return false;
    };
    let frag = Fragment {
        grid: Some(g),
        ..frag.clone()
    };
    read_into(o, &frag, first);
    if o.table.empty_statement.is_none() {
        o.table.empty_statement = frag.empty_statement.clone();
    }
    true
}

/// The catalog id an untitled fragment's header identifies (see [`Identifier::by_header`]), when
/// no table of that id was read yet.
fn header_id(
    frag: &Fragment,
    ident: Identifier<'_>,
    done: &[Table],
    open: Option<&Open>,
) -> Option<String> {
    let grid = frag.grid.as_ref()?;
    let header = flatten(grid, "");
    if header.rows == 0 || header.rows >= grid.n_rows() {
        return None;
    }
    let id = ident.by_header(&header.labels)?;
    let taken = done
        .iter()
        .chain(open.map(|o| &o.table))
        .any(|t| t.table == id);
    (!taken).then(|| id.to_string())
}

/// Stitches fragments into tables.
pub(crate) fn stitch(frags: Vec<Fragment>, ident: Identifier<'_>) -> Vec<Table> {
    let mut done: Vec<Table> = Vec::new();
    let mut open: Option<Open> = None;
    for frag in frags {
        match &frag.title {
            Some(t) if repeats_open_title(open.as_ref(), t, &frag) => {
                let Some(o) = open.as_mut() else { continue };
                let Some(grid) = &frag.grid else { continue };
                if let Some(g) = fit_repeated(grid, o) {
                    let frag = Fragment {
                        grid: Some(g),
                        ..frag.clone()
                    };
                    read_into(o, &frag, false);
                }
            }
            Some(t) => {
                if let Some(o) = open.take() {
                    done.push(finish(o));
                }
                open = Some(open_table(t, &frag));
            }
            None => {
                if continue_open(open.as_mut(), &frag) {
                    continue;
                }
                // A table whose title was not found (printed as an image, or in words the catalog
                // does not know) is still a catalog table when its header says so.
                let Some(id) = header_id(&frag, ident, &done, open.as_ref()) else {
                    continue;
                };
                if let Some(o) = open.take() {
                    done.push(finish(o));
                }
                let t = TitleMatch {
                    id,
                    title: String::new(),
                };
                open = Some(open_table(&t, &frag));
            }
        }
    }
    if let Some(o) = open.take() {
        done.push(finish(o));
    }
    drop_phantoms(done)
}

/// A titled fragment that continues the open table: the same title printed again on the next page
/// (a page header), with columns that line up with the table's.
fn repeats_open_title(open: Option<&Open>, t: &TitleMatch, frag: &Fragment) -> bool {
    let (Some(o), Some(grid)) = (open, &frag.grid) else {
        return false;
    };
    o.table.table == t.id
        && same_title(&o.table.title, &t.title)
        && frag.page == o.table.pages[1] + 1
        && !o.table.columns.is_empty()
        && fit_repeated(grid, o).is_some()
}

/// The grid of a page that repeats the open table's title, in the table's columns: remapped onto
/// its boundaries, or as it is when its own header reads as the table's labels (columns placed by
/// x-positions differ a little from page to page).
fn fit_repeated(grid: &CellGrid, o: &Open) -> Option<CellGrid> {
    remap(grid, &o.col_edges)
        .or_else(|| (flatten(grid, &o.table.title).labels == o.table.columns).then(|| grid.clone()))
}

/// Drops titles that led to nothing: a table without columns, rows or empty statement when another
/// table of the same id has content (a contents page lists every title), and every `X` without rows
/// or empty statement.
fn drop_phantoms(tables: Vec<Table>) -> Vec<Table> {
    let hollow =
        |t: &Table| t.columns.is_empty() && t.rows.is_empty() && t.empty_statement.is_none();
    let solid: Vec<String> = tables
        .iter()
        .filter(|t| !hollow(t))
        .map(|t| t.table.clone())
        .collect();
    tables
        .into_iter()
        .filter(|t| {
            if t.table == "X" {
                !t.rows.is_empty() || t.empty_statement.is_some()
            } else {
                !hollow(t) || !solid.contains(&t.table)
            }
        })
        .collect()
}

/// Sets levels and parents over the whole table; marks a table empty when it states so and holds no value.
fn finish(mut o: Open) -> Table {
    set_hierarchy(&mut o.table.rows);
    let has_value = o
        .table
        .rows
        .iter()
        .any(|r| r.cells.iter().any(Option::is_some));
    o.table.empty = o.table.empty_statement.is_some() && !has_value;
    o.table
}
