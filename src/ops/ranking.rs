//! A bloc's ranking for a year and period: every member unit with the total of the sheet its
//! basis counts, its rank and its band, read from the totals kept on write.

use std::collections::HashMap;

use serde::Serialize;

use crate::auth::Scope;
use crate::db::AnyConnection;
use crate::db::blocs::members;
use crate::db::covenants::{self, BandData};
use crate::db::schema::covenants as covenant_table;
use crate::db::score_sheets::{self as sheets, Totals};
use crate::domain::ranking::{self, RankingBasis};
use crate::domain::{Period, Points, Year};
use crate::error::ApiError;

/// One unit's line of a ranking.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub rank: Option<u32>,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    /// The sheet the total came from, if any counts.
    pub totals: Option<Totals>,
    pub band: Option<String>,
}

/// A ranking, as shown and exported.
#[derive(Debug, Clone, Serialize)]
pub struct Ranking {
    pub bloc_id: i64,
    pub bloc_name: String,
    pub year: Year,
    pub period: Period,
    pub basis: RankingBasis,
    pub lines: Vec<Line>,
}

fn band_of(bands: &[BandData], total: Points) -> Option<String> {
    bands
        .iter()
        .find(|b| b.min_points <= total && total <= b.max_points)
        .map(|b| b.label.clone())
}

/// The ranking of a bloc the caller may see.
pub fn of_bloc(
    c: &mut AnyConnection,
    scope: &Scope,
    bloc_id: i64,
    (year, period, basis): (Year, Period, RankingBasis),
) -> Result<Ranking, ApiError> {
    use diesel::prelude::*;
    let bloc = crate::ops::blocs::visible(c, scope, bloc_id)?;
    let mut by_unit: HashMap<i64, Vec<Totals>> = HashMap::new();
    for t in sheets::totals_for(c, bloc_id, year, period)? {
        by_unit.entry(t.unit_id).or_default().push(t);
    }
    let covenant: Option<i64> = covenant_table::table
        .filter(covenant_table::bloc_id.eq(bloc_id))
        .filter(covenant_table::year.eq(year))
        .select(covenant_table::id)
        .first(c)
        .optional()?;
    let bands = match covenant {
        Some(id) => covenants::document(c, id)?.bands,
        None => vec![],
    };
    let lines: Vec<Line> = members::of_year(c, bloc_id, year)?
        .into_iter()
        .map(|m| {
            let totals =
                ranking::pick(basis, by_unit.remove(&m.unit_id).unwrap_or_default(), |t| {
                    (t.kind, t.state)
                });
            Line {
                rank: None,
                band: totals.as_ref().and_then(|t| band_of(&bands, t.grand_total)),
                unit_id: m.unit_id,
                unit_code: m.unit_code,
                unit_name: m.unit_name,
                totals,
            }
        })
        .collect();
    let ranked = ranking::rank(lines, |l| {
        (
            l.totals.as_ref().map(|t| t.grand_total),
            l.unit_code.clone(),
        )
    });
    Ok(Ranking {
        bloc_id,
        bloc_name: bloc.data.name,
        year,
        period,
        basis,
        lines: ranked
            .into_iter()
            .map(|(rank, line)| Line { rank, ..line })
            .collect(),
    })
}
