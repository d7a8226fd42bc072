//! The trigram index behind the admin user list's search (`user_search`,
//! migration 0008): counting the users a term may match, and compacting
//! the index after bulk writes. The list query reads it directly (see
//! `user_list`).

use crate::backend::db::Db;
use crate::on_db;

/// How many users the index offers for both `patterns`, counting no
/// further than `cap + 1`.
pub async fn candidate_count(db: &Db, patterns: &[String; 2], cap: usize) -> Result<i64, sqlx::Error> {
    let sql = format!("SELECT COUNT(*) FROM ({}) c", candidates_query("$1", "$2", "$3"));
    on_db!(db, |pool| {
        sqlx::query_scalar(&sql).bind(&patterns[0]).bind(&patterns[1]).bind(cap as i64 + 1).fetch_one(pool).await
    })
}

/// The ids of the rows matching both patterns (placeholders `a` and `b`),
/// at most `limit`: FTS5 and pg_trgm both answer each LIKE from the index.
pub fn candidates_query(a: &str, b: &str, limit: &str) -> String {
    format!("SELECT rowid FROM user_search WHERE search_text LIKE {a} AND search_text LIKE {b} LIMIT {limit}")
}

/// Compacts the index after many rows were written at once. A bulk insert
/// leaves SQLite's FTS5 index in many segments and PostgreSQL's GIN index
/// with a long pending list (and stale statistics); every search pays for
/// both until this runs. Maintenance, so the two texts differ.
pub async fn compact(db: &Db) -> Result<(), sqlx::Error> {
    match db {
        Db::Sqlite(pool) => {
            sqlx::query("INSERT INTO user_search (user_search) VALUES ('optimize')").execute(pool).await?;
        }
        Db::Postgres(pool) => {
            sqlx::query("SELECT gin_clean_pending_list('user_search_trigrams'::regclass)").execute(pool).await?;
            sqlx::query("ANALYZE users, user_search").execute(pool).await?;
        }
    }
    Ok(())
}

/// How the list finds the users a search term matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SearchBy {
    /// Take the users whose index text matches both LIKE patterns (each
    /// holds one of the term's rarest trigrams), then test them exactly.
    Index([String; 2]),
    /// Test the users in sort order: the term is common, or too short for
    /// a trigram.
    Walk,
}

/// A sample of the index's rows, and which of them hold each trigram:
/// enough to pick a term's two trigrams that are rarest together, and to
/// guess how many users hold both.
#[derive(Debug, Default)]
pub struct TrigramSample {
    /// Rows in the index when the sample was taken.
    pub total: i64,
    texts: Vec<String>,
    /// For each trigram, the sampled rows (indexes into `texts`) holding it.
    rows: std::collections::HashMap<String, Vec<u32>>,
}

/// Rows a sample reads: a trigram in 1 row of 10,000 still shows, roughly.
pub const SAMPLE_ROWS: i64 = 4000;
/// Pairs are counted in the sample while the rarest trigram is in at most
/// this many sampled rows; past it, their shares are multiplied instead.
const PAIR_COUNT_LIMIT: usize = 500;

/// The distinct 3-character windows of `text`, in order (what FTS5's
/// trigram tokenizer and pg_trgm's LIKE support index).
pub fn trigrams(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<String> = Vec::new();
    for window in chars.windows(3) {
        let gram: String = window.iter().collect();
        if !out.contains(&gram) {
            out.push(gram);
        }
    }
    out
}

impl TrigramSample {
    /// Indexes `texts` (rows of the index) by trigram.
    pub fn from_rows(total: i64, texts: Vec<String>) -> TrigramSample {
        let texts: Vec<String> = texts.into_iter().map(|t| t.to_lowercase()).collect();
        let mut rows: std::collections::HashMap<String, Vec<u32>> = std::collections::HashMap::new();
        for (i, text) in texts.iter().enumerate() {
            for gram in trigrams(text) {
                rows.entry(gram).or_default().push(i as u32);
            }
        }
        TrigramSample { total, texts, rows }
    }

    fn holding(&self, gram: &str) -> &[u32] {
        self.rows.get(gram).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Index or walk for `term` (lower-cased): by the index, with the pair
    /// of its trigrams fewest sampled rows hold together, while that pair
    /// is expected in at most `cap` rows.
    pub fn search_by(&self, term: &str, cap: usize) -> SearchBy {
        let mut grams = trigrams(term);
        if grams.is_empty() {
            return SearchBy::Walk;
        }
        if self.texts.is_empty() {
            // Nothing sampled yet: the whole term is the safest pattern.
            return SearchBy::Index([format!("%{term}%"), format!("%{term}%")]);
        }
        grams.sort_by_key(|g| (self.holding(g).len(), g.clone()));
        let rarest = &grams[0];
        let with_rarest = self.holding(rarest);
        let (partner, together) = if grams.len() == 1 {
            (rarest, with_rarest.len() as f64)
        } else if with_rarest.len() <= PAIR_COUNT_LIMIT {
            let both = |g: &String| with_rarest.iter().filter(|&&row| self.texts[row as usize].contains(g.as_str())).count();
            grams[1..].iter().map(|g| (g, both(g) as f64)).min_by(|a, b| a.1.total_cmp(&b.1)).unwrap_or((rarest, 0.0))
        } else {
            let next = &grams[1];
            (next, with_rarest.len() as f64 * self.holding(next).len() as f64 / self.texts.len() as f64)
        };
        let expected = self.total as f64 * together / self.texts.len() as f64;
        if expected > cap as f64 {
            return SearchBy::Walk;
        }
        SearchBy::Index([format!("%{rarest}%"), format!("%{partner}%")])
    }
}

/// Samples about [`SAMPLE_ROWS`] rows of the index, evenly over its ids.
pub async fn sample(db: &Db) -> Result<TrigramSample, sqlx::Error> {
    let total: i64 = on_db!(db, |pool| sqlx::query_scalar("SELECT COUNT(*) FROM user_search").fetch_one(pool).await)?;
    let stride = (total / SAMPLE_ROWS).max(1);
    let sql = "SELECT search_text FROM user_search WHERE rowid % $1 = 0 LIMIT $2";
    let texts: Vec<String> =
        on_db!(db, |pool| sqlx::query_scalar(sql).bind(stride).bind(SAMPLE_ROWS).fetch_all(pool).await)?;
    Ok(TrigramSample::from_rows(total, texts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigrams_are_distinct_windows() {
        assert_eq!(trigrams("abcab"), ["abc", "bca", "cab"]);
        assert_eq!(trigrams("aaaa"), ["aaa"]);
        assert!(trigrams("ab").is_empty());
        assert_eq!(trigrams("é.ü!"), ["é.ü", ".ü!"]);
    }

    #[test]
    fn rare_terms_use_their_rarest_trigrams_and_common_ones_walk() {
        let rows: Vec<String> = (0..1000).map(|n| format!("ada.berg{n} ada berg ada.berg{n}@lab.example.org")).collect();
        let sample = TrigramSample::from_rows(100_000, rows);
        assert_eq!(sample.search_by("lab.example", 500), SearchBy::Walk, "in every row");
        let index = |a: &str, b: &str| SearchBy::Index([a.to_string(), b.to_string()]);
        assert_eq!(sample.search_by("berg987", 500), index("%987%", "%g98%"), "1 row, then 11");
        assert_eq!(sample.search_by("berg9", 500), SearchBy::Walk, "111 of 1,000 rows");
        assert_eq!(sample.search_by("zq", 500), SearchBy::Walk, "too short");
        assert_eq!(sample.search_by("qqqberg", 500), index("%qbe%", "%qqb%"), "unseen trigrams first");
        assert_eq!(TrigramSample::default().search_by("ada.b", 500), index("%ada.b%", "%ada.b%"), "before a sample");
    }

    #[test]
    fn the_pair_is_the_one_rarest_together() {
        let rows: Vec<String> = (0..1000)
            .map(|n| match n {
                n if n % 100 == 0 => format!("ximena.okafor{n}"),
                n if n % 2 == 0 => format!("rosa.okafor{n}"),
                n => format!("ximena.berg{n}"),
            })
            .collect();
        let sample = TrigramSample::from_rows(10_000, rows);
        // ".ok" and "a.o" are each in half the rows, and always together;
        // ".ok" and "ena" are together in 10 of 1,000.
        assert_eq!(sample.search_by("ximena.okafor", 500), SearchBy::Index(["%.ok%".into(), "%ena%".into()]));
        assert_eq!(sample.search_by("okafor", 500), SearchBy::Walk);
    }
}
