//! The score sheet's workflow (W2): `draft` → `submitted` → `approved` → `published`, each
//! `return` one step back with a reason; and who, of those whose role may take a step, may take
//! it on a given sheet — the unit on its own self-assessment, the bloc chair on the bloc's
//! other units, the board on everything.

use super::workflow::{Transition, Workflow};
use super::{Role, SheetKind, SheetState};
use crate::text_enum;

text_enum! {
    /// A step of a score sheet's workflow.
    pub enum SheetAction {
        /// Gửi: `draft` → `submitted`, once every mandatory criterion has an entry.
        Submit,
        /// Duyệt: `submitted` → `approved`, by the bloc chair of the bloc-year or the board.
        Approve,
        /// Công bố: `approved` → `published`, by the board; the sheet is then final.
        Publish,
        /// Trả lại (with a reason): one step back, `submitted` → `draft` or `approved` →
        /// `submitted`.
        Return,
    }
}

const WRITERS: &[Role] = &[Role::Admin, Role::BlocChair, Role::UnitOfficer];
const BOARD: &[Role] = &[Role::Admin];

/// The states of a score sheet. Nothing leads out of `published`.
pub struct SheetFlow;

impl Workflow for SheetFlow {
    type State = SheetState;
    type Action = SheetAction;
    const TABLE: &'static [Transition<SheetState, SheetAction>] = {
        use SheetAction as A;
        use SheetState as S;
        const fn t(
            from: SheetState,
            action: SheetAction,
            to: SheetState,
            roles: &'static [Role],
        ) -> Transition<SheetState, SheetAction> {
            Transition {
                from,
                action,
                to,
                roles,
                needs_reason: matches!(action, SheetAction::Return),
            }
        }
        &[
            t(S::Draft, A::Submit, S::Submitted, WRITERS),
            t(S::Submitted, A::Approve, S::Approved, WRITERS),
            t(S::Submitted, A::Return, S::Draft, WRITERS),
            t(S::Approved, A::Publish, S::Published, BOARD),
            t(S::Approved, A::Return, S::Submitted, WRITERS),
        ]
    };
}

/// Where a caller stands towards one sheet: the facts the sheet-level rules need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Standing {
    /// The board (an admin).
    pub admin: bool,
    /// A unit officer of the sheet's unit.
    pub own_unit: bool,
    /// The bloc chair of the sheet's bloc-year: an officer of its chair unit, or a bloc chair
    /// user of the bloc.
    pub chair: bool,
    /// The sheet's unit is the chair unit itself.
    pub chair_unit_sheet: bool,
}

/// Whether the caller may write (create, fill in) a sheet of `kind`: a unit officer its own
/// unit's self-assessment, the bloc chair the cross assessments of the bloc's other units, the
/// board any sheet (and alone the board's own).
pub fn may_write(kind: SheetKind, s: Standing) -> bool {
    s.admin
        || match kind {
            SheetKind::SelfAssessment => s.own_unit,
            SheetKind::Cross => s.chair && !s.chair_unit_sheet,
            SheetKind::Board => false,
        }
}

/// Whether the caller may take `action` on a sheet of `kind` (the transition table has
/// already checked the role): its writer submits, the bloc chair approves and returns what is
/// not the board's, the board does everything.
pub fn may_take(action: SheetAction, kind: SheetKind, s: Standing) -> bool {
    s.admin
        || match action {
            SheetAction::Submit => may_write(kind, s),
            SheetAction::Approve | SheetAction::Return => s.chair && kind != SheetKind::Board,
            SheetAction::Publish => false,
        }
}

#[cfg(test)]
mod tests {
    use strum::VariantArray;

    use super::*;
    use crate::domain::workflow::Refusal;

    #[test]
    fn the_sheet_table() {
        use SheetAction::*;
        use SheetState as S;
        // submit, approve, publish, return
        let expected = [
            (S::Draft, [Some(S::Submitted), None, None, None]),
            (
                S::Submitted,
                [None, Some(S::Approved), None, Some(S::Draft)],
            ),
            (
                S::Approved,
                [None, None, Some(S::Published), Some(S::Submitted)],
            ),
            (S::Published, [None, None, None, None]),
        ];
        assert_eq!(expected.len(), S::VARIANTS.len());
        let actions = [Submit, Approve, Publish, Return];
        assert_eq!(actions.len(), SheetAction::VARIANTS.len());
        for (from, row) in expected {
            for (action, want) in actions.iter().zip(row) {
                let got = SheetFlow::decide(from, *action, Role::Admin, Some("lý do")).ok();
                assert_eq!(got, want, "{from} × {action}");
            }
        }
    }

    #[test]
    fn a_return_needs_a_reason_and_only_the_board_publishes() {
        assert_eq!(
            SheetFlow::decide(
                SheetState::Submitted,
                SheetAction::Return,
                Role::Admin,
                None
            ),
            Err(Refusal::ReasonRequired)
        );
        for role in [Role::BlocChair, Role::UnitOfficer, Role::Viewer] {
            assert_eq!(
                SheetFlow::decide(SheetState::Approved, SheetAction::Publish, role, None),
                Err(Refusal::NotYourRole)
            );
        }
        assert_eq!(
            SheetFlow::decide(SheetState::Draft, SheetAction::Submit, Role::Viewer, None),
            Err(Refusal::NotYourRole)
        );
    }

    /// Who writes which kind, as a table: (standing, [self, cross, board]).
    #[test]
    fn who_writes_which_sheet() {
        let officer = Standing {
            own_unit: true,
            ..Standing::default()
        };
        let chair = Standing {
            chair: true,
            ..Standing::default()
        };
        let chair_on_own_unit = Standing {
            chair: true,
            own_unit: true,
            chair_unit_sheet: true,
            ..Standing::default()
        };
        let admin = Standing {
            admin: true,
            ..Standing::default()
        };
        let stranger = Standing::default();
        let table = [
            (officer, [true, false, false]),
            (chair, [false, true, false]),
            (chair_on_own_unit, [true, false, false]),
            (admin, [true, true, true]),
            (stranger, [false, false, false]),
        ];
        let kinds = [
            SheetKind::SelfAssessment,
            SheetKind::Cross,
            SheetKind::Board,
        ];
        for (standing, row) in table {
            for (kind, want) in kinds.iter().zip(row) {
                assert_eq!(may_write(*kind, standing), want, "{standing:?} {kind}");
            }
        }
    }

    /// Who takes which step on a self-assessment, as a table: [submit, approve, publish, return].
    #[test]
    fn who_moves_a_self_assessment() {
        let officer = Standing {
            own_unit: true,
            ..Standing::default()
        };
        let chair = Standing {
            chair: true,
            ..Standing::default()
        };
        let admin = Standing {
            admin: true,
            ..Standing::default()
        };
        let table = [
            (officer, [true, false, false, false]),
            (chair, [false, true, false, true]),
            (admin, [true, true, true, true]),
        ];
        let actions = [
            SheetAction::Submit,
            SheetAction::Approve,
            SheetAction::Publish,
            SheetAction::Return,
        ];
        for (standing, row) in table {
            for (action, want) in actions.iter().zip(row) {
                assert_eq!(
                    may_take(*action, SheetKind::SelfAssessment, standing),
                    want,
                    "{standing:?} {action}"
                );
            }
        }
        assert!(!may_take(SheetAction::Approve, SheetKind::Board, chair));
    }
}
