//! Inputs that are not columns of the analysed data, written into a recipe so that it runs
//! again on its own: the weight matrix of a spatial analysis, with its neighbour list or
//! uploaded matrix as an inline table and GeoJSON as text.

use serde_json::{json, Map, Value};

use crate::data::{Column, ColumnData, Dataset};
use crate::estimators::spatial::{self, SpatialWeights, WeightsSpec};
use crate::{Error, Result};

/// A table in a recipe: `{ "columns": [{ "name", "kind": "numeric" | "text", "values" }] }`
/// (missing values as `null`; numbers print exactly, so they read back to the same bits).
pub fn dataset_to_json(ds: &Dataset) -> Value {
    let cols: Vec<Value> = ds
        .columns()
        .iter()
        .map(|c| match &c.data {
            ColumnData::Numeric { values, .. } => json!({
                "name": c.name, "kind": "numeric",
                "values": values.iter().map(|v| if v.is_finite() { json!(v) } else { Value::Null }).collect::<Vec<_>>(),
            }),
            ColumnData::Text { values, .. } => json!({ "name": c.name, "kind": "text", "values": values }),
        })
        .collect();
    json!({ "columns": cols })
}

/// Reads a table written by [`dataset_to_json`].
pub fn dataset_from_json(v: &Value, what: &str) -> Result<Dataset> {
    let bad = || Error::invalid(format!("recipe: `{what}` must be a table {{ columns: [{{ name, kind, values }}] }}"));
    let cols = v.get("columns").and_then(Value::as_array).ok_or_else(bad)?;
    let mut out = Vec::with_capacity(cols.len());
    for c in cols {
        let name = c.get("name").and_then(Value::as_str).ok_or_else(bad)?;
        let values = c.get("values").and_then(Value::as_array).ok_or_else(bad)?;
        out.push(match c.get("kind").and_then(Value::as_str) {
            Some("numeric") => Column::numeric(name, values.iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect()),
            Some("text") => Column::text(name, values.iter().map(|x| x.as_str().map(str::to_string)).collect()),
            _ => return Err(bad()),
        });
    }
    Dataset::from_columns(out)
}

/// A weight matrix together with the self-contained spec it was built from.
#[derive(Debug, Clone)]
pub struct WeightsWithSpec {
    /// The matrix.
    pub weights: SpatialWeights,
    /// The spec as JSON, inputs inline (what a recipe stores under `weights`).
    pub spec: Value,
}

/// Builds a weight matrix from a self-contained JSON spec (the JS API's spec with `neighbors`
/// and `matrix` as inline tables and `geojson` as text; `of` holds component specs).
pub fn build_weights(ds: &Dataset, spec: &Value) -> Result<WeightsWithSpec> {
    let weights = spatial::weights::build(ds, &weights_spec(spec)?)?;
    Ok(WeightsWithSpec { weights, spec: spec.clone() })
}

/// The typed spec of a self-contained JSON spec.
pub fn weights_spec(spec: &Value) -> Result<WeightsSpec> {
    let mut obj: Map<String, Value> = spec
        .as_object()
        .cloned()
        .ok_or_else(|| Error::invalid("weights: give a weight-matrix spec such as { kind: \"knn\", k: 4, unit, x, y }"))?;
    let mut take = |k: &str| obj.remove(k).filter(|v| !v.is_null());
    let neighbors = take("neighbors").map(|v| dataset_from_json(&v, "neighbors")).transpose()?;
    let matrix = take("matrix").map(|v| dataset_from_json(&v, "matrix")).transpose()?;
    let geojson = match take("geojson") {
        Some(Value::String(s)) => Some(s.into_bytes()),
        Some(_) => return Err(Error::invalid("weights: `geojson` must be the file's text")),
        None => None,
    };
    let of = match take("of") {
        Some(Value::Array(a)) => a.iter().map(weights_spec).collect::<Result<Vec<_>>>()?,
        Some(_) => return Err(Error::invalid("weights: `of` must be an array of weight-matrix specs")),
        None => Vec::new(),
    };
    let mut s: WeightsSpec =
        serde_json::from_value(Value::Object(obj)).map_err(|e| Error::invalid(format!("invalid weights options: {e}")))?;
    s.neighbors = neighbors;
    s.matrix = matrix;
    s.geojson = geojson;
    s.of = of;
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_round_trip_exactly() {
        let ds = Dataset::from_columns(vec![
            Column::numeric("w", vec![0.1 + 0.2, f64::NAN, 1e-300, -3.0]),
            Column::text("from", vec![Some("a".into()), None, Some("北京".into()), Some("".into())]),
        ])
        .unwrap();
        let back = dataset_from_json(&dataset_to_json(&ds), "t").unwrap();
        assert_eq!(back.column_names(), ds.column_names());
        let (a, b) = (ds.numeric("w").unwrap(), back.numeric("w").unwrap());
        assert!(a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())));
        assert_eq!(back.columns()[1], ds.columns()[1]);
        assert!(dataset_from_json(&json!({ "rows": [] }), "neighbors").is_err());
    }
}
