//! The San Francisco 311 history as `pantau replay` reads it (pure): one [`Case`] per CSV
//! row — when it was opened and closed, its category, request type, source and position —
//! in arrival order. Rows that cannot be read are counted and skipped, never guessed.

use chrono::NaiveDateTime;

/// One real service request.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    pub id: String,
    /// Local San Francisco time (only differences between times matter here).
    pub opened: NaiveDateTime,
    /// When it was closed, if it was.
    pub closed: Option<NaiveDateTime>,
    pub category: String,
    pub request_type: String,
    pub source: String,
    pub neighborhood: String,
    pub lat: f64,
    pub lng: f64,
}

/// The readable cases of a CSV in arrival order, and how many rows were skipped.
pub fn read(csv_text: impl std::io::Read) -> Result<(Vec<Case>, usize), csv::Error> {
    let mut reader = csv::Reader::from_reader(csv_text);
    let headers = reader.headers()?.clone();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(id), Some(opened), Some(closed), Some(category), Some(lat), Some(lng)) = (
        column("case_id"),
        column("opened"),
        column("closed"),
        column("category"),
        column("lat"),
        column("lng"),
    ) else {
        return Err(csv::Error::from(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "the CSV needs the columns case_id, opened, closed, category, lat and lng",
        )));
    };
    let (request_type, source, neighborhood) = (column("request_type"), column("source"), column("neighborhood"));
    let mut cases = Vec::new();
    let mut skipped = 0;
    for row in reader.records() {
        let row = row?;
        let text = |i: Option<usize>| i.and_then(|i| row.get(i)).unwrap_or_default().trim().to_owned();
        let parsed = (|| {
            let opened = time(row.get(opened)?)?;
            let closed = row.get(closed).and_then(time).filter(|c| *c >= opened);
            let lat: f64 = row.get(lat)?.trim().parse().ok()?;
            let lng: f64 = row.get(lng)?.trim().parse().ok()?;
            (lat.is_finite() && lng.is_finite() && lat != 0.0 && lng != 0.0).then_some(())?;
            Some(Case {
                id: row.get(id)?.trim().to_owned(),
                opened,
                closed,
                category: row.get(category)?.trim().to_owned(),
                request_type: text(request_type),
                source: text(source),
                neighborhood: text(neighborhood),
                lat,
                lng,
            })
        })();
        match parsed {
            Some(case) if !case.id.is_empty() => cases.push(case),
            _ => skipped += 1,
        }
    }
    cases.sort_by_key(|c| c.opened);
    Ok((cases, skipped))
}

/// `2008-07-01 07:27:00` (seconds optional).
fn time(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim();
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M"))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_read_in_arrival_order_and_bad_ones_skipped() {
        let csv = "case_id,opened,closed,category,lat,lng,source\n\
                   2,2008-07-02 10:00:00,2008-07-03 10:00:00,Streetlights,37.75,-122.40,Voice In\n\
                   1,2008-07-01 09:00:00,,Sewer Issues,37.76,-122.41,Open311\n\
                   3,not a time,,Sewer Issues,37.76,-122.41,Open311\n\
                   4,2008-07-01 09:00:00,2008-06-01 00:00:00,Sewer Issues,0,0,Open311\n";
        let (cases, skipped) = read(csv.as_bytes()).unwrap();
        assert_eq!(skipped, 2);
        assert_eq!(cases.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["1", "2"]);
        assert_eq!(cases[0].closed, None);
        assert_eq!(cases[1].source, "Voice In");
    }

    #[test]
    fn the_shipped_history_reads_whole() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/replay/sf311_replay_5k.csv");
        let (cases, skipped) = read(std::fs::File::open(path).unwrap()).unwrap();
        assert_eq!(cases.len() + skipped, 4_984);
        assert!(cases.len() > 4_900, "{} read, {skipped} skipped", cases.len());
    }
}
