//! Streaming (CsvStream) equals read_bytes on random files and random chunkings.

use quasi::data::{read_bytes, ColumnData, CsvStream, Loaded, ReadOptions, NEEDS_WHOLE_FILE};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn fingerprint(l: &Loaded) -> String {
    let mut s = serde_json::to_string(&l.report).unwrap();
    for c in l.dataset.columns() {
        s.push_str(&format!("|{}:", c.name));
        match &c.data {
            ColumnData::Numeric { values, integer } => {
                s.push_str(&format!("{integer}"));
                for v in values {
                    s.push_str(&format!(",{:x}", v.to_bits()));
                }
            }
            ColumnData::Text { values, strays } => s.push_str(&format!("{values:?}{strays:?}")),
        }
    }
    for r in 0..l.dataset.nrows() {
        s.push_str(&format!(";{:?}", l.dataset.source_line(r)));
    }
    s
}

fn random_file(rng: &mut ChaCha8Rng) -> Vec<u8> {
    let delim = [",", ";", "\t"][rng.random_range(0..3)];
    let eol = if rng.random_bool(0.3) { "\r\n" } else { "\n" };
    let ncols = rng.random_range(1..5);
    let mut s = String::new();
    if rng.random_bool(0.1) {
        s.push('\u{FEFF}');
    }
    let names: Vec<String> = (0..ncols).map(|j| format!("c{j}")).collect();
    s.push_str(&names.join(delim));
    s.push_str(eol);
    let rows = if rng.random_bool(0.3) { rng.random_range(2000..4000) } else { rng.random_range(1..60) };
    let kinds: Vec<u8> = (0..ncols).map(|_| rng.random_range(0..4)).collect();
    for _ in 0..rows {
        let fields: Vec<String> = kinds
            .iter()
            .map(|&k| match (k, rng.random_range(0..20)) {
                (_, 0) => String::new(),
                (_, 1) => "NA".into(),
                (0, _) => format!("{}", rng.random_range(-1000..1000)),
                (1, _) => format!("{:.4}", rng.random::<f64>() * 100.0 - 50.0),
                (2, _) => ["北京", "x y", "z"][rng.random_range(0..3)].to_string(),
                _ => match rng.random_range(0..4) {
                    0 => format!("\"a{delim}b\"").replace("{delim}", delim),
                    1 => "\"line\nbreak\"".into(),
                    2 => "\"say \"\"hi\"\"\"".into(),
                    _ => "plain".into(),
                },
            })
            .collect();
        s.push_str(&fields.join(delim));
        s.push_str(eol);
    }
    s.into_bytes()
}

fn streamed(bytes: &[u8], opts: &ReadOptions, rng: &mut ChaCha8Rng) -> quasi::Result<Loaded> {
    let mut st = CsvStream::new(opts);
    let mode = rng.random_range(0..3);
    let mut i = 0;
    while i < bytes.len() {
        let k = match mode {
            0 => 1,
            1 => rng.random_range(1..100),
            _ => rng.random_range(1..70_000),
        };
        let k = k.min(bytes.len() - i);
        st.push(&bytes[i..i + k])?;
        i += k;
    }
    st.finish()
}

#[test]
fn stream_equals_read_bytes() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let (mut same, mut whole) = (0, 0);
    for case in 0..60 {
        let mut bytes = random_file(&mut rng);
        if case % 10 == 9 {
            let (gbk, _, _) = encoding_rs::GB18030.encode(std::str::from_utf8(&bytes).unwrap().trim_start_matches('\u{FEFF}'));
            bytes = gbk.into_owned();
        }
        let opts = ReadOptions::default();
        let want = read_bytes(&bytes, &opts);
        let got = streamed(&bytes, &opts, &mut rng);
        match (want, got) {
            (Ok(w), Ok(g)) => {
                assert_eq!(fingerprint(&g), fingerprint(&w), "case {case}");
                same += 1;
            }
            (Ok(_), Err(e)) if e.to_string().contains(NEEDS_WHOLE_FILE) => whole += 1,
            (Err(w), Err(g)) => assert_eq!(w.to_string(), g.to_string(), "case {case}"),
            (w, g) => panic!("case {case}: read_bytes {:?} stream {:?}", w.map(|_| ()), g.map(|_| ())),
        }
    }
    assert!(same >= 30, "{same} equal, {whole} needed the whole file");
}

#[test]
fn late_invalid_utf8_is_a_clear_error() {
    let mut s = String::from("a,b\n");
    while s.len() < 100_000 {
        s.push_str("1,x\n");
    }
    let mut bytes = s.into_bytes();
    bytes.extend_from_slice(b"2,caf\xE9\n");
    let mut st = CsvStream::new(&ReadOptions::default());
    let mut err = None;
    for c in bytes.chunks(4096) {
        if let Err(e) = st.push(c) {
            err = Some(e);
            break;
        }
    }
    let e = match err {
        Some(e) => e,
        None => st.finish().unwrap_err(),
    };
    assert!(e.to_string().contains("not valid UTF-8"), "{e}");
}

#[test]
fn memory_estimate() {
    let mut s = String::from("a,b,name\n");
    for i in 0..1000 {
        s.push_str(&format!("{i},{}.5,abc\n", i * 2));
    }
    let est = quasi::data::estimate_memory(s.len() as u64 * 1000, s.as_bytes());
    assert_eq!((est.columns, est.numeric_columns), (3, 2));
    assert!((990_000..1_010_000).contains(&est.rows), "{est:?}");
    assert!(est.fits_wasm32);
    assert!(!quasi::data::estimate_memory(200_000_000_000, s.as_bytes()).fits_wasm32);
}
