//! The two workflows of emulation movements: a movement's status, which the board moves
//! forward as it opens registrations, reviews and closes, and the board's decision on each
//! unit's registration.

use super::workflow::{Transition, Workflow};
use super::{MovementStatus, RegistrationStatus, Role};
use crate::text_enum;

text_enum! {
    /// What the board does to a movement.
    pub enum MovementAction {
        /// Bắt đầu nhận hồ sơ: `planned` → `open`.
        Open,
        /// Kết thúc nhận hồ sơ, xét khen thưởng: `open` → `reviewing`.
        Review,
        /// Nhận hồ sơ trở lại (with a reason): `reviewing` → `open`.
        Reopen,
        /// Kết thúc: `open` or `reviewing` → `closed`.
        Close,
        /// Hủy (with a reason): `planned` → `closed`.
        Cancel,
    }
}

text_enum! {
    /// The board's decision on a registration.
    pub enum RegistrationAction {
        /// Duyệt: `pending` → `approved`.
        Approve,
        /// Từ chối (with a reason): `pending` → `rejected`.
        Reject,
    }
}

const BOARD: &[Role] = &[Role::Admin];

/// A movement's status. Nothing leads out of `closed`.
pub struct MovementFlow;

impl Workflow for MovementFlow {
    type State = MovementStatus;
    type Action = MovementAction;
    const TABLE: &'static [Transition<MovementStatus, MovementAction>] = {
        use MovementAction as A;
        use MovementStatus as S;
        const fn t(
            from: MovementStatus,
            action: MovementAction,
            to: MovementStatus,
            needs_reason: bool,
        ) -> Transition<MovementStatus, MovementAction> {
            Transition {
                from,
                action,
                to,
                roles: BOARD,
                needs_reason,
            }
        }
        &[
            t(S::Planned, A::Open, S::Open, false),
            t(S::Planned, A::Cancel, S::Closed, true),
            t(S::Open, A::Review, S::Reviewing, false),
            t(S::Open, A::Close, S::Closed, false),
            t(S::Reviewing, A::Reopen, S::Open, true),
            t(S::Reviewing, A::Close, S::Closed, false),
        ]
    };
}

/// A registration's decision: once made, it stands.
pub struct RegistrationFlow;

impl Workflow for RegistrationFlow {
    type State = RegistrationStatus;
    type Action = RegistrationAction;
    const TABLE: &'static [Transition<RegistrationStatus, RegistrationAction>] = &[
        Transition {
            from: RegistrationStatus::Pending,
            action: RegistrationAction::Approve,
            to: RegistrationStatus::Approved,
            roles: BOARD,
            needs_reason: false,
        },
        Transition {
            from: RegistrationStatus::Pending,
            action: RegistrationAction::Reject,
            to: RegistrationStatus::Rejected,
            roles: BOARD,
            needs_reason: true,
        },
    ];
}

#[cfg(test)]
mod tests {
    use strum::VariantArray;

    use super::*;
    use crate::domain::workflow::Refusal;

    /// Every state × action for the board, as a table: the new state, or `None` for refused.
    #[test]
    fn the_movement_table() {
        use MovementAction::*;
        use MovementStatus as S;
        let expected = [
            (
                S::Planned,
                [Some(S::Open), None, None, None, Some(S::Closed)],
            ),
            (
                S::Open,
                [None, Some(S::Reviewing), None, Some(S::Closed), None],
            ),
            (
                S::Reviewing,
                [None, None, Some(S::Open), Some(S::Closed), None],
            ),
            (S::Closed, [None, None, None, None, None]),
        ];
        assert_eq!(expected.len(), S::VARIANTS.len());
        let actions = [Open, Review, Reopen, Close, Cancel];
        assert_eq!(actions.len(), MovementAction::VARIANTS.len());
        for (from, row) in expected {
            for (action, want) in actions.iter().zip(row) {
                let got = MovementFlow::decide(from, *action, Role::Admin, Some("lý do")).ok();
                assert_eq!(got, want, "{from} × {action}");
            }
        }
    }

    #[test]
    fn only_the_board_moves_a_movement_and_some_steps_need_a_reason() {
        for role in [Role::BlocChair, Role::UnitOfficer, Role::Viewer] {
            assert_eq!(
                MovementFlow::decide(MovementStatus::Planned, MovementAction::Open, role, None),
                Err(Refusal::NotYourRole)
            );
            assert!(MovementFlow::allowed(MovementStatus::Open, role).is_empty());
        }
        assert_eq!(
            MovementFlow::decide(
                MovementStatus::Reviewing,
                MovementAction::Reopen,
                Role::Admin,
                Some("  ")
            ),
            Err(Refusal::ReasonRequired)
        );
        assert_eq!(
            MovementFlow::decide(
                MovementStatus::Closed,
                MovementAction::Open,
                Role::Admin,
                None
            ),
            Err(Refusal::NotFromHere {
                state: MovementStatus::Closed,
                allowed: vec![]
            })
        );
        assert_eq!(
            MovementFlow::allowed(MovementStatus::Open, Role::Admin),
            vec![MovementAction::Review, MovementAction::Close]
        );
    }

    #[test]
    fn the_registration_table() {
        use RegistrationAction::*;
        use RegistrationStatus as S;
        let expected = [
            (S::Pending, [Some(S::Approved), Some(S::Rejected)]),
            (S::Approved, [None, None]),
            (S::Rejected, [None, None]),
        ];
        assert_eq!(expected.len(), S::VARIANTS.len());
        for (from, row) in expected {
            for (action, want) in [Approve, Reject].iter().zip(row) {
                let got = RegistrationFlow::decide(from, *action, Role::Admin, Some("lý do")).ok();
                assert_eq!(got, want, "{from} × {action}");
            }
        }
        assert_eq!(
            RegistrationFlow::decide(S::Pending, Reject, Role::Admin, None),
            Err(Refusal::ReasonRequired)
        );
        assert_eq!(
            RegistrationFlow::decide(S::Pending, Approve, Role::UnitOfficer, None),
            Err(Refusal::NotYourRole)
        );
    }
}
