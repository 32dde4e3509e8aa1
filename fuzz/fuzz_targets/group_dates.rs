//! Arbitrary bytes → (if UTF-8) `group::parse_date`, `Period::ordinal` / `Period::label`,
//! `GroupSpec::parse`, and date groupings (`Grouping::new`, `key_of`, `order`).
//!
//! Input: the bytes as one metadata value and as one `--group-by` SPEC; split on `\n`, as the
//! date cells of up to 64 documents. Checks: no panic and no overflow (debug assertions and
//! overflow checks are on); a date's month is 1–12 and its day 1–31; for every period (year,
//! quarter, month, week, day, decade, years:N for N = 1, 2, 7, 10, 1000, u32::MAX) the ordinal
//! is `None` exactly when the date is too coarse, and the label is the one the module's
//! documentation gives (`1789`, `1789-Q2`, `1789-04`, `1789-04-30`, `1780s`, `1789–1792`;
//! `YEAR-Www` with a week 01–53 and an ISO year within one of the date's); a SPEC that parses
//! resolves against its own columns; `order` of a date grouping lists each distinct key in
//! exactly one group, at most `MAX_PERIODS` periods, time-line labels distinct and in order,
//! and `(missing)` last exactly when a document had no key.
#![no_main]


use libfuzzer_sys::fuzz_target;
use themescope::group::{
    parse_date, Date, GroupSpec, Grouping, Key, Period, MAX_PERIODS, MISSING,
};

const PERIODS: [(Period, &str); 12] = [
    (Period::Year, "year"),
    (Period::Quarter, "quarter"),
    (Period::Month, "month"),
    (Period::Week, "week"),
    (Period::Day, "day"),
    (Period::Decade, "decade"),
    (Period::Years(1), "years:1"),
    (Period::Years(2), "years:2"),
    (Period::Years(7), "years:7"),
    (Period::Years(10), "years:10"),
    (Period::Years(1000), "years:1000"),
    (Period::Years(u32::MAX), "years:4294967295"),
];

/// Checks one value's date, period by period.
fn check_date(value: &str) {
    let Some(date) = parse_date(value) else {
        return;
    };
    let Date { year: y, month, day } = date;
    if let Some(m) = month {
        assert!((1..=12).contains(&m), "{value:?}: month {m}");
    }
    if let Some(d) = day {
        assert!(month.is_some(), "{value:?}: a day without a month");
        assert!((1..=31).contains(&d), "{value:?}: day {d}");
    }
    for (period, _) in PERIODS {
        let ordinal = period.ordinal(date);
        let coarse = match period {
            Period::Quarter | Period::Month => month.is_none(),
            Period::Week | Period::Day => day.is_none(),
            _ => false,
        };
        assert_eq!(ordinal.is_none(), coarse, "{value:?} {period:?}: {ordinal:?}");
        let Some(o) = ordinal else { continue };
        let label = period.label(o);
        let want = match (period, month, day) {
            (Period::Year, _, _) => Some(y.to_string()),
            (Period::Decade, _, _) => Some(format!("{}s", y.div_euclid(10) * 10)),
            (Period::Quarter, Some(m), _) => Some(format!("{y}-Q{}", (m - 1) / 3 + 1)),
            (Period::Month, Some(m), _) => Some(format!("{y}-{m:02}")),
            (Period::Day, Some(m), Some(d)) => Some(format!("{y}-{m:02}-{d:02}")),
            (Period::Years(n), _, _) => Some(format!("{y}\u{2013}{}", y + i64::from(n) - 1)),
            _ => None,
        };
        if let Some(want) = want {
            assert_eq!(label, want, "{value:?} {period:?} ordinal {o}");
        }
        if period == Period::Week {
            let (year, week) = label
                .rsplit_once("-W")
                .unwrap_or_else(|| panic!("{value:?}: week label {label:?}"));
            let year: i64 = year.parse().unwrap_or_else(|_| panic!("{value:?}: {label:?}"));
            let week: u32 = week.parse().unwrap_or_else(|_| panic!("{value:?}: {label:?}"));
            assert!((1..=53).contains(&week), "{value:?}: week label {label:?}");
            assert!((year - y).abs() <= 1, "{value:?}: week label {label:?}");
            // The next and previous weeks label too.
            let _ = period.label(o + 1);
            let _ = period.label(o - 1);
        }
    }
}

/// Groups `values` (one document each, its cell in the column `date`) by `spec`.
fn check_grouping(spec_text: &str, columns: &[String], ids: &[&str], values: &[&str]) {
    let Ok(spec) = GroupSpec::parse(spec_text) else {
        return;
    };
    let grouping = Grouping::new(&spec, columns)
        .unwrap_or_else(|e| panic!("{spec_text:?} against its own columns {columns:?}: {e}"));
    let mut keys: Vec<Key> = Vec::new();
    let mut missing = false;
    for (id, v) in ids.iter().zip(values) {
        let meta: Vec<String> = columns.iter().map(|_| v.to_string()).collect();
        match grouping.key_of(id, &meta) {
            Some(k) => {
                assert_eq!(k.len(), grouping.part_count());
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
            None => missing = true,
        }
    }
    let Ok(groups) = grouping.order(&keys, missing) else {
        return;
    };
    let rest = match groups.split_last() {
        Some((last, rest)) if last.missing => {
            assert!(missing, "{spec_text:?}: a (missing) group without a keyless document");
            assert_eq!(last.label, MISSING);
            rest
        }
        _ => {
            assert!(!missing, "{spec_text:?}: no (missing) group");
            &groups[..]
        }
    };
    assert!(rest.iter().all(|g| !g.missing), "(missing) not last");
    assert!(rest.len() as i64 <= MAX_PERIODS.max(keys.len() as i64));
    for k in &keys {
        let n = rest.iter().filter(|g| g.keys.contains(k)).count();
        assert_eq!(n, 1, "{spec_text:?}: key {k:?} in {n} groups");
    }
    let listed: usize = rest.iter().map(|g| g.keys.len()).sum();
    assert_eq!(listed, keys.len(), "{spec_text:?}: keys listed vs keys");
    if grouping.is_timeline() {
        let mut labels: Vec<&str> = rest.iter().map(|g| g.label.as_str()).collect();
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(labels.len(), rest.len(), "{spec_text:?}: labels repeat");
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let values: Vec<&str> = s.split('\n').take(64).collect();
    check_date(s);
    for v in &values {
        check_date(v);
    }
    // The input as a SPEC, resolved against its own columns, the lines as cells.
    if let Ok(spec) = GroupSpec::parse(s) {
        let columns: Vec<String> = spec.columns().map(str::to_string).collect();
        let ids: Vec<&str> = values.iter().map(|_| "folder/doc").collect();
        check_grouping(s, &columns, &ids, &values);
    }
    // The lines as the date cells of documents, grouped by every period.
    let columns = vec!["date".to_string()];
    let ids: Vec<&str> = values.iter().map(|_| "a/b").collect();
    for (_, name) in PERIODS {
        check_grouping(&format!("date:{name}"), &columns, &ids, &values);
    }
    check_grouping("date:decade+date:years:3", &columns, &ids, &values);
});
