//! Writers of a [`Frame`]: Apache Parquet (the `parquet` crate's column writers, no Arrow) and CSV.
//!
//! In: a frame (named, typed columns; rows of cells). Out: one `.parquet` or `.csv` file. Parquet
//! types: strings are `BYTE_ARRAY (STRING)`, integers `INT32`/`INT64`, booleans `BOOLEAN`, decimals
//! `FIXED_LEN_BYTE_ARRAY(16)` with the `DECIMAL(38, 10)` logical type, so DuckDB, pyarrow and Polars
//! read them as exact decimals; every column is optional (null = absent); snappy compression, row
//! groups of [`ROW_GROUP`] rows. CSV: RFC 4180 (a header line, fields quoted when they hold `,`, `"`
//! or a line break), UTF-8 without BOM, decimals printed exactly, null as an empty field.
//!
//! Not here: what the columns mean (see `mod.rs`).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;

use parquet::basic::{
    Compression, ConvertedType, DecimalType, LogicalType, Repetition, Type as PhysicalType,
};
use parquet::data_type::{
    BoolType, ByteArray, ByteArrayType, FixedLenByteArray, FixedLenByteArrayType, Int32Type,
    Int64Type,
};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::{SerializedColumnWriter, SerializedFileWriter};
use parquet::schema::types::Type;
use rust_decimal::Decimal;

use super::{Cell, ColType, ExportError, Frame};

/// Rows per Parquet row group.
pub const ROW_GROUP: usize = 65_536;
/// Precision and scale of every decimal column.
pub const DECIMAL_PRECISION: i32 = 38;
pub const DECIMAL_SCALE: u32 = 10;

fn perr(path: &Path, e: impl std::fmt::Display) -> ExportError {
    ExportError::Write {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// The Parquet schema of a frame.
fn schema(frame: &Frame) -> Result<Type, parquet::errors::ParquetError> {
    let mut fields = Vec::new();
    for (name, ty) in &frame.columns {
        let b = match ty {
            ColType::Str => Type::primitive_type_builder(name, PhysicalType::BYTE_ARRAY)
                .with_logical_type(Some(LogicalType::String))
                .with_converted_type(ConvertedType::UTF8),
            ColType::Int32 => Type::primitive_type_builder(name, PhysicalType::INT32),
            ColType::Int64 => Type::primitive_type_builder(name, PhysicalType::INT64),
            ColType::Bool => Type::primitive_type_builder(name, PhysicalType::BOOLEAN),
            ColType::Dec => Type::primitive_type_builder(name, PhysicalType::FIXED_LEN_BYTE_ARRAY)
                .with_length(16)
                .with_logical_type(Some(LogicalType::Decimal(DecimalType {
                    scale: DECIMAL_SCALE as i32,
                    precision: DECIMAL_PRECISION,
                })))
                .with_converted_type(ConvertedType::DECIMAL)
                .with_precision(DECIMAL_PRECISION)
                .with_scale(DECIMAL_SCALE as i32),
        };
        fields.push(Arc::new(b.with_repetition(Repetition::OPTIONAL).build()?));
    }
    Type::group_type_builder(frame.name)
        .with_fields(fields)
        .build()
}

/// A decimal as the big-endian two's complement of its value at [`DECIMAL_SCALE`]; `None` when it has
/// more decimal places than that (it would be rounded: refused).
pub fn decimal_bytes(d: Decimal) -> Option<[u8; 16]> {
    if d.scale() > DECIMAL_SCALE {
        let n = d.normalize();
        if n.scale() > DECIMAL_SCALE {
            return None;
        }
        return decimal_bytes(n);
    }
    let mut x = d;
    x.rescale(DECIMAL_SCALE);
    Some(x.mantissa().to_be_bytes())
}

/// Writes a frame as Parquet.
pub fn parquet(frame: &Frame, path: &Path) -> Result<(), ExportError> {
    let schema = Arc::new(schema(frame).map_err(|e| perr(path, e))?);
    let props = Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by(format!("yujuesuan {}", crate::output::PROGRAM_VERSION))
            .build(),
    );
    let file = File::create(path).map_err(|e| perr(path, e))?;
    let mut writer = SerializedFileWriter::new(file, schema, props).map_err(|e| perr(path, e))?;
    let chunks: Vec<&[Vec<Cell>]> = if frame.rows.is_empty() {
        vec![&frame.rows[..]]
    } else {
        frame.rows.chunks(ROW_GROUP).collect()
    };
    for rows in chunks {
        let mut rg = writer.next_row_group().map_err(|e| perr(path, e))?;
        let mut index = 0usize;
        while let Some(mut col) = rg.next_column().map_err(|e| perr(path, e))? {
            write_column(&mut col, frame, rows, index, path)?;
            col.close().map_err(|e| perr(path, e))?;
            index += 1;
        }
        rg.close().map_err(|e| perr(path, e))?;
    }
    writer.close().map_err(|e| perr(path, e))?;
    Ok(())
}

/// Writes column `index` of `rows` (one row group of `frame`) into `col`: values of its type, a
/// definition level per row (0 for a null).
fn write_column(
    col: &mut SerializedColumnWriter<'_>,
    frame: &Frame,
    rows: &[Vec<Cell>],
    index: usize,
    path: &Path,
) -> Result<(), ExportError> {
    let ty = frame.columns.get(index).map(|c| c.1);
    let cells = rows.iter().map(|r| r.get(index).unwrap_or(&Cell::Null));
    let defs: Vec<i16> = cells
        .clone()
        .map(|c| i16::from(!matches!(c, Cell::Null)))
        .collect();
    let written = match ty {
        Some(ColType::Str) => {
            let v: Vec<ByteArray> = cells
                .filter_map(|c| match c {
                    Cell::Str(s) => Some(ByteArray::from(s.as_bytes().to_vec())),
                    _ => None,
                })
                .collect();
            col.typed::<ByteArrayType>()
                .write_batch(&v, Some(&defs), None)
        }
        Some(ColType::Int32) => {
            let v: Vec<i32> = cells
                .filter_map(|c| match c {
                    Cell::Int(n) => Some(i32::try_from(*n).unwrap_or(i32::MAX)),
                    _ => None,
                })
                .collect();
            col.typed::<Int32Type>().write_batch(&v, Some(&defs), None)
        }
        Some(ColType::Int64) => {
            let v: Vec<i64> = cells
                .filter_map(|c| match c {
                    Cell::Int(n) => Some(*n),
                    _ => None,
                })
                .collect();
            col.typed::<Int64Type>().write_batch(&v, Some(&defs), None)
        }
        Some(ColType::Bool) => {
            let v: Vec<bool> = cells
                .filter_map(|c| match c {
                    Cell::Bool(b) => Some(*b),
                    _ => None,
                })
                .collect();
            col.typed::<BoolType>().write_batch(&v, Some(&defs), None)
        }
        Some(ColType::Dec) => {
            let mut v: Vec<FixedLenByteArray> = Vec::new();
            for c in cells {
                if let Cell::Dec(d) = c {
                    let bytes = decimal_bytes(*d).ok_or_else(|| ExportError::Scale {
                        column: frame.columns[index].0.clone(),
                        value: d.to_string(),
                    })?;
                    v.push(FixedLenByteArray::from(bytes.to_vec()));
                }
            }
            col.typed::<FixedLenByteArrayType>()
                .write_batch(&v, Some(&defs), None)
        }
        None => return Err(perr(path, "more Parquet columns than frame columns")),
    };
    written.map_err(|e| perr(path, e))?;
    Ok(())
}

/// One CSV field, quoted when needed.
fn csv_field(out: &mut String, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

/// A frame as CSV text.
pub fn csv_text(frame: &Frame) -> String {
    let mut out = String::new();
    for (i, (name, _)) in frame.columns.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        csv_field(&mut out, name);
    }
    out.push('\n');
    for row in &frame.rows {
        for i in 0..frame.columns.len() {
            if i > 0 {
                out.push(',');
            }
            match row.get(i).unwrap_or(&Cell::Null) {
                Cell::Null => {}
                Cell::Str(s) => csv_field(&mut out, s),
                Cell::Int(n) => out.push_str(&n.to_string()),
                Cell::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                Cell::Dec(d) => out.push_str(&d.to_string()),
            }
        }
        out.push('\n');
    }
    out
}

/// Writes a frame as CSV.
pub fn csv(frame: &Frame, path: &Path) -> Result<(), ExportError> {
    let file = File::create(path).map_err(|e| perr(path, e))?;
    let mut w = BufWriter::new(file);
    w.write_all(csv_text(frame).as_bytes())
        .and_then(|_| w.flush())
        .map_err(|e| perr(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn decimals_are_scaled_exactly_or_refused() {
        let d = |s: &str| Decimal::from_str(s).expect("decimal");
        assert_eq!(
            i128::from_be_bytes(decimal_bytes(d("15621.112344")).expect("fits")),
            156_211_123_440_000
        );
        assert_eq!(
            i128::from_be_bytes(decimal_bytes(d("-0.5")).expect("fits")),
            -5_000_000_000
        );
        assert_eq!(
            i128::from_be_bytes(decimal_bytes(d("1.500000000000")).expect("trailing zeros")),
            15_000_000_000
        );
        assert_eq!(decimal_bytes(d("0.00000000001")), None);
    }

    #[test]
    fn csv_quotes_only_what_needs_it() {
        let frame = Frame {
            name: "t",
            columns: vec![
                ("a".to_string(), ColType::Str),
                ("b".to_string(), ColType::Dec),
                ("c".to_string(), ColType::Int32),
            ],
            rows: vec![vec![
                Cell::Str("x,\"y\"".to_string()),
                Cell::Dec(Decimal::from_str("23158.59").expect("decimal")),
                Cell::Null,
            ]],
        };
        assert_eq!(csv_text(&frame), "a,b,c\n\"x,\"\"y\"\"\",23158.59,\n");
    }
}
