//! The variance type of a fit ([`VcovSpec`]) and the JSON forms it accepts.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;

/// Variance type.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum VcovSpec {
    /// Homoskedastic.
    #[default]
    Iid,
    /// Heteroskedasticity-robust (HC1).
    Hetero,
    /// Cluster-robust (CRV1) by one or two variables.
    Cluster(Vec<String>),
}

impl VcovSpec {
    /// A short label (`iid`, `hetero`, `cluster(city)`).
    pub fn label(&self) -> String {
        match self {
            VcovSpec::Iid => "iid".into(),
            VcovSpec::Hetero => "hetero".into(),
            VcovSpec::Cluster(c) => format!("cluster({})", c.join(", ")),
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawVcov {
    Name(String),
    Obj(BTreeMap<String, OneOrMany>),
}

impl<'de> Deserialize<'de> for VcovSpec {
    /// Accepts `"iid"`, `"hetero"` (aliases `"HC1"`, `"robust"`, `"hc1"`,
    /// `"nonrobust"`, `"unadjusted"`), `{"cluster": ["c1"]}`, `{"cluster": "c1"}`,
    /// `{"cluster": ["c1","c2"]}`, `{"CRV1": "c1"}` and pyfixest's two-way
    /// form `{"CRV1": "c1+c2"}` (also `"~c1 + c2"`).
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde::de::Error as _;
        match RawVcov::deserialize(d)? {
            RawVcov::Name(s) => match s.to_ascii_lowercase().as_str() {
                "iid" | "nonrobust" | "unadjusted" | "standard" => Ok(VcovSpec::Iid),
                "hetero" | "hc1" | "robust" | "heteroskedastic" => Ok(VcovSpec::Hetero),
                _ => Err(D::Error::custom(format!(
                    "unknown vcov `{s}`: use \"iid\", \"hetero\" or {{\"cluster\": [\"column\"]}}"
                ))),
            },
            RawVcov::Obj(m) => {
                let mut out = None;
                for (k, v) in m {
                    match k.to_ascii_lowercase().as_str() {
                        "cluster" | "crv1" => {
                            // pyfixest writes two-way clustering as "a+b" (fixest: ~a+b)
                            let split = |s: &str| -> Vec<String> {
                                s.trim()
                                    .trim_start_matches('~')
                                    .split('+')
                                    .map(|p| p.trim().to_string())
                                    .filter(|p| !p.is_empty())
                                    .collect()
                            };
                            out = Some(match v {
                                OneOrMany::One(s) => split(&s),
                                OneOrMany::Many(v) => v.iter().flat_map(|s| split(s)).collect(),
                            })
                        }
                        _ => return Err(D::Error::custom(format!("unknown vcov key `{k}` (use `cluster`)"))),
                    }
                }
                match out {
                    Some(c) if !c.is_empty() && c.len() <= 2 => Ok(VcovSpec::Cluster(c)),
                    _ => Err(D::Error::custom("`cluster` needs one or two column names")),
                }
            }
        }
    }
}

impl Serialize for VcovSpec {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            VcovSpec::Iid => s.serialize_str("iid"),
            VcovSpec::Hetero => s.serialize_str("hetero"),
            VcovSpec::Cluster(c) => {
                let mut m = BTreeMap::new();
                m.insert("cluster", c);
                m.serialize(s)
            }
        }
    }
}
