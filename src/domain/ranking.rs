//! Rankings (xếp hạng) of a bloc's units for a period: which of a unit's sheets counts, and how
//! totals become ranks — ties share a rank (1, 2, 2, 4) and are listed by unit code; units
//! without a counted sheet come last, unranked.

use super::{Points, SheetKind, SheetState};
use crate::text_enum;

text_enum! {
    /// Which sheet of a unit a ranking counts.
    pub enum RankingBasis {
        /// The highest kind (board over cross over self) that is approved or published.
        Approved,
        /// The highest kind that is published: the official view.
        Published,
        /// The unit's self-assessment, whatever its state: to compare how units scored
        /// themselves.
        #[serde(rename = "self")]
        #[strum(serialize = "self")]
        SelfAssessment,
    }
}

impl RankingBasis {
    /// Whether a sheet of this kind and state may be counted.
    pub fn counts(self, kind: SheetKind, state: SheetState) -> bool {
        match self {
            RankingBasis::Approved => matches!(state, SheetState::Approved | SheetState::Published),
            RankingBasis::Published => state == SheetState::Published,
            RankingBasis::SelfAssessment => kind == SheetKind::SelfAssessment,
        }
    }
}

/// Of a unit's sheets (kind, state, …), the one the basis counts: the highest kind it admits.
pub fn pick<T>(
    basis: RankingBasis,
    sheets: impl IntoIterator<Item = T>,
    facts: impl Fn(&T) -> (SheetKind, SheetState),
) -> Option<T> {
    sheets
        .into_iter()
        .filter(|s| {
            let (kind, state) = facts(s);
            basis.counts(kind, state)
        })
        .max_by_key(|s| facts(s).0.weight())
}

/// Orders `items` by total, highest first, ties by code, those without a total last (by code),
/// and gives each its rank: equal totals share one, and the next rank skips as many places.
pub fn rank<T>(
    mut items: Vec<T>,
    key: impl Fn(&T) -> (Option<Points>, String),
) -> Vec<(Option<u32>, T)> {
    items.sort_by(|a, b| {
        let ((ta, ca), (tb, cb)) = (key(a), key(b));
        match (ta, tb) {
            (Some(x), Some(y)) => y.cmp(&x).then(ca.cmp(&cb)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => ca.cmp(&cb),
        }
    });
    let mut out = Vec::with_capacity(items.len());
    let mut previous: Option<(Points, u32)> = None;
    for (i, item) in items.into_iter().enumerate() {
        let position = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let rank = key(&item).0.map(|total| match previous {
            Some((p, r)) if p == total => r,
            _ => {
                previous = Some((total, position));
                position
            }
        });
        out.push((rank, item));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_share_a_rank_and_units_without_a_total_come_last() {
        let items = vec![
            ("SXD", Some(90)),
            ("SCT", Some(95)),
            ("SKHDT", None),
            ("SGTVT", Some(90)),
            ("STNMT", Some(80)),
            ("SNNPTNT", None),
        ];
        let ranked = rank(items, |(code, total)| {
            (total.map(Points), (*code).to_owned())
        });
        let got: Vec<(Option<u32>, &str)> = ranked.iter().map(|(r, (c, _))| (*r, *c)).collect();
        assert_eq!(
            got,
            vec![
                (Some(1), "SCT"),
                (Some(2), "SGTVT"),
                (Some(2), "SXD"),
                (Some(4), "STNMT"),
                (None, "SKHDT"),
                (None, "SNNPTNT"),
            ]
        );
    }

    #[test]
    fn the_basis_picks_the_highest_kind_it_counts() {
        use SheetKind::*;
        use SheetState::*;
        let sheets = [
            (SelfAssessment, Published),
            (Cross, Approved),
            (Board, Submitted),
        ];
        let facts = |s: &&(SheetKind, SheetState)| **s;
        assert_eq!(
            pick(RankingBasis::Approved, sheets.iter(), facts),
            Some(&(Cross, Approved))
        );
        assert_eq!(
            pick(RankingBasis::Published, sheets.iter(), facts),
            Some(&(SelfAssessment, Published))
        );
        assert_eq!(
            pick(RankingBasis::SelfAssessment, sheets.iter(), facts),
            Some(&(SelfAssessment, Published))
        );
        assert_eq!(
            pick(RankingBasis::Published, sheets[1..].iter(), facts),
            None
        );
    }
}
