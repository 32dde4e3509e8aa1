//! Stage group: a document's id and metadata → the group it belongs to, for each `--group-by`.
//!
//! In: a grouping as the user wrote it (`party`, `folder`, `date:decade`, `party+date:decade`),
//! the run's metadata columns, then per document its id and metadata cells. Out: per document a
//! [`Key`] (or none: the group `(missing)`); at the end, the groups in the order the files list
//! them ([`Grouping::order`]), each with its label and the keys it gathers.
//!
//! Guarantees: a key depends only on the document's id and cells, never on the order documents
//! come in; the order of the groups depends only on the keys seen and, for columns, the order in
//! which their values first appear in the corpus (document order, which does not depend on
//! threads). A date grouping lists every period from the first to the last, empty ones included,
//! so that the time axis stays true.
//!
//! Dates (`COLUMN:PERIOD`): an ISO 8601 date or date-time (`1789-04-30`, `1789-04-30T12:00:00-05:00`:
//! the date as written, an offset does not move it; `1789-04` for periods of a month or longer), a
//! bare integer of 1–4 digits (a year), or a longer integer or a decimal (Unix seconds, UTC).
//! Periods and their labels: `year` `1789`, `quarter` `1789-Q2`, `month` `1789-04`, `week`
//! `1789-W18` (ISO weeks, Monday first, labelled by their ISO year), `day` `1789-04-30`, `decade`
//! `1780s`, `years:N` `1789–1792` (periods of N years counted from the earliest year in the corpus).

use std::collections::HashMap;
use std::fmt;

pub mod keys;
pub mod sums;

/// The most periods a date grouping may list.
pub const MAX_PERIODS: i64 = 10_000;

/// The label of the group of documents whose value is empty or unreadable.
pub const MISSING: &str = "(missing)";

/// How dates are grouped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    /// Calendar years.
    Year,
    /// Quarters of a year.
    Quarter,
    /// Calendar months.
    Month,
    /// ISO weeks.
    Week,
    /// Days.
    Day,
    /// Decades (`1780s`: 1780–1789).
    Decade,
    /// Runs of N years from the earliest year seen.
    Years(u32),
}

/// One part of a grouping: a metadata column, the first folder of the id, or a date column
/// with its period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// A metadata column's value, as written.
    Column(String),
    /// The first component of the document's id.
    Folder,
    /// A date column, grouped by period.
    Date(String, Period),
}

/// A `--group-by` SPEC, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupSpec {
    /// The SPEC as given (the `grouping` column of the group files).
    pub text: String,
    /// Its parts, crossed.
    pub parts: Vec<Part>,
}

impl GroupSpec {
    /// Parses a SPEC; the error says what is wrong and what is expected.
    pub fn parse(text: &str) -> Result<GroupSpec, String> {
        let parts = text
            .split('+')
            .map(|part| parse_part(part.trim()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("--group-by {text:?}: {e}"))?;
        Ok(GroupSpec {
            text: text.to_string(),
            parts,
        })
    }

    /// The metadata columns it reads.
    pub fn columns(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Column(c) | Part::Date(c, _) => Some(c.as_str()),
            Part::Folder => None,
        })
    }
}

fn parse_part(part: &str) -> Result<Part, String> {
    if part.is_empty() {
        return Err("an empty part; expected COLUMN, folder or COLUMN:PERIOD, joined by +".into());
    }
    if part == "folder" {
        return Ok(Part::Folder);
    }
    // `years:N` holds a colon of its own.
    let split = match part.rsplit_once(":years:") {
        Some((column, n)) => Some((column, &part[column.len() + 1..])).filter(|_| !n.contains(':')),
        None => None,
    };
    let Some((column, period)) = split.or_else(|| part.rsplit_once(':')) else {
        return Ok(Part::Column(part.to_string()));
    };
    let period = match period {
        "year" => Period::Year,
        "quarter" => Period::Quarter,
        "month" => Period::Month,
        "week" => Period::Week,
        "day" => Period::Day,
        "decade" => Period::Decade,
        other => match other.strip_prefix("years:").map(str::parse::<u32>) {
            Some(Ok(n)) if n >= 1 => Period::Years(n),
            _ => {
                return Err(format!(
                    "unknown period {other:?}; expected year, quarter, month, week, day, \
                     decade or years:N (N at least 1)"
                ))
            }
        },
    };
    if column.is_empty() {
        return Err("a period without a column; write COLUMN:PERIOD".into());
    }
    Ok(Part::Date(column.to_string(), period))
}

/// A date: year, and month and day when the value gives them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Date {
    /// The year.
    pub year: i64,
    /// The month (1–12), if given.
    pub month: Option<u32>,
    /// The day of the month, if given.
    pub day: Option<u32>,
}

/// Reads a metadata value as a date (see the module's documentation); `None` when it is none.
pub fn parse_date(value: &str) -> Option<Date> {
    let v = value.trim();
    // Read as bytes: a value is any text, and a position that ends a digit may fall inside a
    // character of several bytes.
    let digits = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit);
    // The number a run of ASCII digits (checked by `digits`, at most 4) writes.
    let number = |s: &[u8]| s.iter().fold(0, |n, &d| n * 10 + u32::from(d - b'0'));
    let b = v.as_bytes();
    if digits(b) && b.len() <= 4 {
        return Some(Date {
            year: number(b).into(),
            month: None,
            day: None,
        });
    }
    let unsigned = b.strip_prefix(b"-").unwrap_or(b);
    let numeric = match unsigned.iter().position(|&c| c == b'.') {
        Some(dot) => digits(&unsigned[..dot]) && digits(&unsigned[dot + 1..]),
        None => digits(unsigned),
    };
    if numeric {
        let seconds: f64 = v.parse().ok()?;
        if !seconds.is_finite() || seconds.abs() > 1e15 {
            return None;
        }
        let days = (seconds / 86_400.0).floor() as i64;
        let (year, month, day) = civil_from_days(days);
        return Some(Date {
            year,
            month: Some(month),
            day: Some(day),
        });
    }
    // ISO 8601: YYYY-MM or YYYY-MM-DD, then optionally T or a space and a time.
    if b.len() < 7 || !digits(&b[..4]) || b[4] != b'-' || !digits(&b[5..7]) {
        return None;
    }
    let year = i64::from(number(&b[..4]));
    let month = number(&b[5..7]);
    if !(1..=12).contains(&month) {
        return None;
    }
    if b.len() == 7 {
        return Some(Date {
            year,
            month: Some(month),
            day: None,
        });
    }
    if b.len() < 10 || b[7] != b'-' || !digits(&b[8..10]) {
        return None;
    }
    let day = number(&b[8..10]);
    if day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if b.len() > 10 && !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    Some(Date {
        year,
        month: Some(month),
        day: Some(day),
    })
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (days since 1970-01-01).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The ISO year and week of a day number.
fn iso_week(days: i64) -> (i64, u32) {
    // 1970-01-01 was a Thursday; ISO weeks start on Monday, and a week belongs to the year
    // of its Thursday.
    let weekday = (days + 3).rem_euclid(7); // 0 = Monday
    let thursday = days - weekday + 3;
    let (year, _, _) = civil_from_days(thursday);
    let week = (thursday - days_from_civil(year, 1, 1)) / 7 + 1;
    (year, week as u32)
}

impl Period {
    /// The period of `date` as a number that counts periods (consecutive periods differ by
    /// one); `None` when the date is too coarse for it (a month for a week or a day). For
    /// `Years(_)`, the year: its runs are formed once the earliest year is known.
    pub fn ordinal(self, date: Date) -> Option<i64> {
        let y = date.year;
        Some(match self {
            Period::Year | Period::Years(_) => y,
            Period::Decade => y.div_euclid(10),
            Period::Quarter => y * 4 + i64::from((date.month? - 1) / 3),
            Period::Month => y * 12 + i64::from(date.month? - 1),
            Period::Day => days_from_civil(y, date.month?, date.day?),
            Period::Week => (days_from_civil(y, date.month?, date.day?) + 3).div_euclid(7),
        })
    }

    /// The label of period `ordinal` ([`Period::ordinal`]); for `Years(n)` the ordinal is the
    /// run's first year.
    pub fn label(self, ordinal: i64) -> String {
        match self {
            Period::Year => ordinal.to_string(),
            Period::Decade => format!("{}s", ordinal * 10),
            Period::Quarter => format!("{}-Q{}", ordinal.div_euclid(4), ordinal.rem_euclid(4) + 1),
            Period::Month => format!(
                "{}-{:02}",
                ordinal.div_euclid(12),
                ordinal.rem_euclid(12) + 1
            ),
            Period::Day => {
                let (y, m, d) = civil_from_days(ordinal);
                format!("{y}-{m:02}-{d:02}")
            }
            Period::Week => {
                let (year, week) = iso_week(ordinal * 7 - 3);
                format!("{year}-W{week:02}")
            }
            Period::Years(n) => format!("{ordinal}\u{2013}{}", ordinal + i64::from(n) - 1),
        }
    }
}

/// `value` without white space at either end, as [`str::trim`]: a value that starts and ends
/// with a visible ASCII character (most) is not looked at further.
fn trimmed(value: &str) -> &str {
    match (value.as_bytes().first(), value.as_bytes().last()) {
        (Some(a), Some(z)) if a.is_ascii_graphic() && z.is_ascii_graphic() => value,
        _ => value.trim(),
    }
}

/// Says that the metadata column `column` is not among `columns`, and which there are.
pub fn no_such_column(column: &str, columns: &[String]) -> String {
    let there = if columns.is_empty() {
        "the documents have no metadata (give a table INPUT or --metadata FILE)".to_string()
    } else {
        format!("the metadata columns are {}", crate::table::quoted(columns))
    };
    format!("no metadata column {column:?}; {there}")
}

/// One component of a document's group: a value as written, or a period's ordinal.
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Component {
    /// A column's value or a folder name.
    Value(String),
    /// A date's period ([`Period::ordinal`]).
    Period(i64),
}

impl Component {
    /// The component as borrowed ([`ComponentRef`]), to compare with a document's.
    pub fn as_ref(&self) -> ComponentRef<'_> {
        match self {
            Component::Value(v) => ComponentRef::Value(v),
            Component::Period(o) => ComponentRef::Period(*o),
        }
    }
}

/// A [`Component`] as read from a document's id and cells, borrowed from them (nothing
/// allocated until a key is new).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ComponentRef<'a> {
    /// A column's value or a folder name.
    Value(&'a str),
    /// A date's period ([`Period::ordinal`]).
    Period(i64),
}

impl ComponentRef<'_> {
    /// The component, owned.
    pub fn to_owned(self) -> Component {
        match self {
            ComponentRef::Value(v) => Component::Value(v.to_string()),
            ComponentRef::Period(o) => Component::Period(o),
        }
    }
}

/// A document's group in one grouping, before the groups are formed: one component per part.
pub type Key = Vec<Component>;

#[derive(Clone, Debug)]
enum Resolved {
    Column(usize),
    Folder,
    Date(usize, Period),
}

/// A grouping resolved against the run's metadata columns.
#[derive(Clone, Debug)]
pub struct Grouping {
    /// The SPEC as given.
    pub spec: String,
    parts: Vec<Resolved>,
    periods: Vec<Option<Period>>,
}

/// The groups of a grouping, in the order the files list them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// Its label (the `group` column).
    pub label: String,
    /// The keys it gathers (none for an empty period; empty for `(missing)` too, which gathers
    /// the documents without a key).
    pub keys: Vec<Key>,
    /// Whether it is the `(missing)` group.
    pub missing: bool,
}

impl fmt::Display for Grouping {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.spec)
    }
}

impl Grouping {
    /// `spec` against the run's metadata `columns`; an error names a missing column and lists
    /// those there are.
    pub fn new(spec: &GroupSpec, columns: &[String]) -> Result<Grouping, String> {
        let index = |c: &str| {
            (columns.iter().position(|k| k == c)).ok_or_else(|| {
                format!("--group-by {:?}: {}", spec.text, no_such_column(c, columns))
            })
        };
        let parts = (spec.parts.iter())
            .map(|p| {
                Ok(match p {
                    Part::Column(c) => Resolved::Column(index(c)?),
                    Part::Folder => Resolved::Folder,
                    Part::Date(c, period) => Resolved::Date(index(c)?, *period),
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        let periods = (parts.iter())
            .map(|p| match p {
                Resolved::Date(_, period) => Some(*period),
                _ => None,
            })
            .collect();
        Ok(Grouping {
            spec: spec.text.clone(),
            parts,
            periods,
        })
    }

    /// Whether the groups are the periods of one date column, in time order (a time line).
    pub fn is_timeline(&self) -> bool {
        matches!(self.periods[..], [Some(_)])
    }

    /// The key of a document with id `id` and metadata cells `meta` (empty when it has none);
    /// `None` when a part is empty or not a date: the group `(missing)`.
    pub fn key_of(&self, id: &str, meta: &[String]) -> Option<Key> {
        (0..self.parts.len())
            .map(|k| self.component(k, id, meta).map(ComponentRef::to_owned))
            .collect()
    }

    /// The number of parts (the components of a key).
    pub fn part_count(&self) -> usize {
        self.parts.len()
    }

    /// The component of part `k` of a document with id `id` and cells `meta`, borrowed from
    /// them; `None` when it is empty or not a date (the key of [`Grouping::key_of`], part by
    /// part).
    pub fn component<'a>(
        &self,
        k: usize,
        id: &'a str,
        meta: &'a [String],
    ) -> Option<ComponentRef<'a>> {
        let cell = |i: usize| meta.get(i).map(|s| trimmed(s)).filter(|s| !s.is_empty());
        match *self.parts.get(k)? {
            Resolved::Column(i) => cell(i).map(ComponentRef::Value),
            Resolved::Folder => Some(ComponentRef::Value(
                id.split_once('/').map_or(id, |(first, _)| first),
            )),
            Resolved::Date(i, period) => {
                Some(ComponentRef::Period(period.ordinal(parse_date(cell(i)?)?)?))
            }
        }
    }

    /// The text part `k` of a document's key is read from: the cell of its column as written
    /// (`""` when the document has none) or the folder of its id. Two documents whose texts are
    /// the same in every part have the same key (or both none).
    pub fn source<'a>(&self, k: usize, id: &'a str, meta: &'a [String]) -> &'a str {
        let cell = |i: usize| meta.get(i).map_or("", String::as_str);
        match self.parts.get(k) {
            Some(Resolved::Column(i) | Resolved::Date(i, _)) => cell(*i),
            Some(Resolved::Folder) => id.split_once('/').map_or(id, |(first, _)| first),
            None => "",
        }
    }

    /// The groups of the `keys` seen (each once, in order of first appearance in the corpus),
    /// in the order the files list them, with `(missing)` last when `missing` documents had no
    /// key. A grouping by one date lists every period from the first to the last; an error
    /// when that is more than [`MAX_PERIODS`].
    pub fn order(&self, keys: &[Key], missing: bool) -> Result<Vec<Group>, String> {
        let mut groups = if let [Some(period)] = self.periods[..] {
            self.timeline(period, keys)?
        } else {
            self.crossed(keys)
        };
        if missing {
            groups.push(Group {
                label: MISSING.to_string(),
                keys: Vec::new(),
                missing: true,
            });
        }
        Ok(groups)
    }

    /// One date part: every period from the first to the last.
    fn timeline(&self, period: Period, keys: &[Key]) -> Result<Vec<Group>, String> {
        let ordinals: Vec<i64> = (keys.iter())
            .filter_map(|k| match k.first() {
                Some(Component::Period(o)) => Some(*o),
                _ => None,
            })
            .collect();
        let (Some(&first), Some(&last)) = (ordinals.iter().min(), ordinals.iter().max()) else {
            return Ok(Vec::new());
        };
        let step = match period {
            Period::Years(n) => i64::from(n),
            _ => 1,
        };
        let count = (last - first) / step + 1;
        if count > MAX_PERIODS {
            return Err(format!(
                "--group-by {:?} makes {count} periods from {} to {}, more than {MAX_PERIODS}; \
                 choose a longer period",
                self.spec,
                period.label(first),
                period.label(last)
            ));
        }
        let mut members: HashMap<i64, Vec<Key>> = HashMap::new();
        for (key, &o) in keys.iter().zip(&ordinals) {
            let start = first + (o - first) / step * step;
            members.entry(start).or_default().push(key.clone());
        }
        Ok((0..count)
            .map(|k| {
                let start = first + k * step;
                let mut keys = members.remove(&start).unwrap_or_default();
                keys.sort();
                Group {
                    label: period.label(start),
                    keys,
                    missing: false,
                }
            })
            .collect())
    }

    /// Values, or several parts crossed: each key its own group, ordered part by part (values
    /// in order of first appearance, periods in time order); no empty groups.
    fn crossed(&self, keys: &[Key]) -> Vec<Group> {
        let mut rank: HashMap<&Component, usize> = HashMap::new();
        for key in keys {
            for c in key {
                let next = rank.len();
                rank.entry(c).or_insert(next);
            }
        }
        let sort_key = |key: &Key| -> Vec<(i64, usize)> {
            key.iter()
                .map(|c| match c {
                    Component::Period(o) => (*o, 0),
                    Component::Value(_) => (0, rank[c]),
                })
                .collect()
        };
        let mut sorted: Vec<&Key> = keys.iter().collect();
        sorted.sort_by_cached_key(|k| sort_key(k));
        sorted
            .into_iter()
            .map(|key| Group {
                label: self.label(key),
                keys: vec![key.clone()],
                missing: false,
            })
            .collect()
    }

    /// A key's label: its components' labels joined by `+`.
    fn label(&self, key: &Key) -> String {
        let parts: Vec<String> = key
            .iter()
            .zip(&self.periods)
            .map(|(c, period)| match (c, period) {
                (Component::Value(v), _) => v.clone(),
                (Component::Period(o), Some(p)) => p.label(*o),
                (Component::Period(o), None) => o.to_string(),
            })
            .collect();
        parts.join("+")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The fast path gives what `str::trim` gives, for any text.
        #[test]
        fn trimmed_is_trim(value in "[ \t\u{a0}\u{3000}a-zÉ,.\n-]{0,8}") {
            proptest::prop_assert_eq!(trimmed(&value), value.trim());
        }
    }

    fn date(y: i64, m: u32, d: u32) -> Option<Date> {
        Some(Date {
            year: y,
            month: Some(m),
            day: Some(d),
        })
    }

    #[test]
    fn specs() {
        let spec = GroupSpec::parse("party+date:decade").unwrap();
        assert_eq!(
            spec.parts,
            [
                Part::Column("party".into()),
                Part::Date("date".into(), Period::Decade)
            ]
        );
        assert_eq!(GroupSpec::parse("folder").unwrap().parts, [Part::Folder]);
        assert_eq!(
            GroupSpec::parse("year:years:4").unwrap().parts,
            [Part::Date("year".into(), Period::Years(4))]
        );
        for bad in ["", "a+", "date:fortnight", "date:years:0", ":year"] {
            assert!(GroupSpec::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn dates_as_written() {
        assert_eq!(parse_date("1789-04-30"), date(1789, 4, 30));
        // The date as written: the offset does not move it.
        assert_eq!(parse_date("2021-01-20T23:30:00-05:00"), date(2021, 1, 20));
        assert_eq!(parse_date("2021-01-20 12:00"), date(2021, 1, 20));
        assert_eq!(
            parse_date("1789"),
            Some(Date {
                year: 1789,
                month: None,
                day: None
            })
        );
        assert_eq!(parse_date("33").map(|d| d.year), Some(33));
        // Unix seconds, UTC: 2009-02-13T23:31:30Z.
        assert_eq!(parse_date("1234567890"), date(2009, 2, 13));
        assert_eq!(parse_date("1234567890.75"), date(2009, 2, 13));
        assert_eq!(parse_date("-86400"), date(1969, 12, 31));
        assert_eq!(parse_date("2021-06").map(|d| d.month), Some(Some(6)));
        for bad in [
            "",
            "soon",
            "1789-13-01",
            "1789-02-30",
            "1900-02-29",
            "1789-04-30x",
            "12:00",
            // A position that ends a digit inside a character of several bytes.
            "été 1950",
            "2000-1é",
            "2000-01-1é",
            "20é0-01-01",
            "2000-01é01",
            "２０２１",
            "1.5€",
        ] {
            assert_eq!(parse_date(bad), None, "{bad:?}");
        }
        assert_eq!(parse_date("2000-02-29"), date(2000, 2, 29));
    }

    #[test]
    fn days_round_trip() {
        for days in [-800_000, -1, 0, 1, 59, 10_957, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    #[test]
    fn period_labels() {
        let d = parse_date("1789-04-30").unwrap();
        let label = |p: Period| p.label(p.ordinal(d).unwrap());
        assert_eq!(label(Period::Year), "1789");
        assert_eq!(label(Period::Quarter), "1789-Q2");
        assert_eq!(label(Period::Month), "1789-04");
        assert_eq!(label(Period::Week), "1789-W18");
        assert_eq!(label(Period::Day), "1789-04-30");
        assert_eq!(label(Period::Decade), "1780s");
        assert_eq!(Period::Years(4).label(1789), "1789\u{2013}1792");
        // ISO weeks at year ends: 2021-01-03 is in 2020's week 53, 2019-12-30 in 2020's week 1.
        let week =
            |s: &str| Period::Week.label(Period::Week.ordinal(parse_date(s).unwrap()).unwrap());
        assert_eq!(week("2021-01-03"), "2020-W53");
        assert_eq!(week("2021-01-04"), "2021-W01");
        assert_eq!(week("2019-12-30"), "2020-W01");
        // A month is too coarse for a week or a day, fine for a quarter.
        let month = parse_date("2021-06").unwrap();
        assert_eq!(Period::Week.ordinal(month), None);
        assert_eq!(
            Period::Quarter.label(Period::Quarter.ordinal(month).unwrap()),
            "2021-Q2"
        );
    }

    fn grouping(spec: &str, columns: &[&str]) -> Grouping {
        let columns: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
        Grouping::new(&GroupSpec::parse(spec).unwrap(), &columns).unwrap()
    }

    fn meta(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn a_timeline_lists_empty_periods_and_missing_last() {
        let g = grouping("date:decade", &["party", "date"]);
        let docs = [
            ("a", meta(&["D", "1801-03-04"])),
            ("b", meta(&["R", "1789"])),
            ("c", meta(&["R", "not a date"])),
            ("d", meta(&["D", "1825"])),
        ];
        let mut keys = Vec::new();
        let mut missing = false;
        for (id, m) in &docs {
            match g.key_of(id, m) {
                Some(k) if !keys.contains(&k) => keys.push(k),
                Some(_) => {}
                None => missing = true,
            }
        }
        let groups = g.order(&keys, missing).unwrap();
        let labels: Vec<&str> = groups.iter().map(|g| g.label.as_str()).collect();
        assert_eq!(
            labels,
            ["1780s", "1790s", "1800s", "1810s", "1820s", "(missing)"]
        );
        assert!(groups[1].keys.is_empty() && groups[3].keys.is_empty());
        assert_eq!(groups[0].keys, [vec![Component::Period(178)]]);
    }

    #[test]
    fn runs_of_years_count_from_the_earliest() {
        let g = grouping("year:years:4", &["year"]);
        let keys: Vec<Key> = ["1797", "1789", "1793", "1800"]
            .iter()
            .filter_map(|y| g.key_of("x", &meta(&[y])))
            .collect();
        let groups = g.order(&keys, false).unwrap();
        let labels: Vec<&str> = groups.iter().map(|g| g.label.as_str()).collect();
        assert_eq!(
            labels,
            ["1789\u{2013}1792", "1793\u{2013}1796", "1797\u{2013}1800"]
        );
        assert_eq!(groups[2].keys.len(), 2);
    }

    #[test]
    fn too_many_periods_is_an_error() {
        let g = grouping("d:day", &["d"]);
        let keys: Vec<Key> = ["1789-01-01", "2025-01-01"]
            .iter()
            .filter_map(|d| g.key_of("x", &meta(&[d])))
            .collect();
        let e = g.order(&keys, false).unwrap_err();
        assert!(
            e.contains("more than 10000") && e.contains("longer period"),
            "{e}"
        );
    }

    #[test]
    fn values_in_order_of_first_appearance_crossed_with_periods() {
        let g = grouping("party+year:decade", &["party", "year"]);
        let keys: Vec<Key> = [("R", "1861"), ("D", "1913"), ("R", "1801"), ("D", "1801")]
            .iter()
            .filter_map(|(p, y)| g.key_of("x", &meta(&[p, y])))
            .collect();
        let labels: Vec<String> = (g.order(&keys, false).unwrap())
            .into_iter()
            .map(|g| g.label)
            .collect();
        assert_eq!(labels, ["R+1800s", "R+1860s", "D+1800s", "D+1910s"]);
    }

    #[test]
    fn folders_and_missing_columns() {
        let g = grouping("folder", &[]);
        assert_eq!(
            g.key_of("nyt/2020/a.txt", &[]),
            Some(vec![Component::Value("nyt".into())])
        );
        assert_eq!(
            g.key_of("a.txt", &[]),
            Some(vec![Component::Value("a.txt".into())])
        );
        let e = Grouping::new(
            &GroupSpec::parse("outlet").unwrap(),
            &meta(&["party", "date"]),
        )
        .unwrap_err();
        assert!(e.contains("\"outlet\"") && e.contains("party"), "{e}");
        let g = grouping("party", &["party"]);
        assert_eq!(g.key_of("x", &meta(&["  "])), None);
        assert_eq!(g.key_of("x", &[]), None);
    }
}
