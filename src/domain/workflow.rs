//! The workflow core: a resource's life as a pure transition table — state × action × role →
//! new state, or a refusal that says why. Handlers never compare states themselves; they ask
//! [`Workflow::decide`], and every workflow answers through the same endpoint shape
//! (`POST …/transitions {"action", "reason"}`, 409 with the current state and the actions
//! allowed from it).

use std::fmt::Display;

use super::Role;

/// One row of a transition table.
#[derive(Debug, Clone, Copy)]
pub struct Transition<S: 'static, A: 'static> {
    pub from: S,
    pub action: A,
    pub to: S,
    /// Who may take it.
    pub roles: &'static [Role],
    /// Whether the step must say why (a rejection, a return, a reopening).
    pub needs_reason: bool,
}

/// Why a transition was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal<S, A> {
    /// The action does not apply to the current state (409): the answer names the state and
    /// what the caller could do from it.
    NotFromHere { state: S, allowed: Vec<A> },
    /// The action exists from this state, but not for this role (403).
    NotYourRole,
    /// The action needs a reason and none was given (422).
    ReasonRequired,
}

/// A state machine over `State` driven by `Action`s.
pub trait Workflow {
    type State: Copy + PartialEq + Display + 'static;
    type Action: Copy + PartialEq + Display + 'static;

    /// Every permitted step; anything not listed is refused.
    const TABLE: &'static [Transition<Self::State, Self::Action>];

    /// The state `action` leads to from `from` when taken by `role` (with `reason`, if any).
    fn decide(
        from: Self::State,
        action: Self::Action,
        role: Role,
        reason: Option<&str>,
    ) -> Result<Self::State, Refusal<Self::State, Self::Action>> {
        let Some(step) = Self::TABLE
            .iter()
            .find(|t| t.from == from && t.action == action)
        else {
            return Err(Refusal::NotFromHere {
                state: from,
                allowed: Self::allowed(from, role),
            });
        };
        if !step.roles.contains(&role) {
            return Err(Refusal::NotYourRole);
        }
        if step.needs_reason && reason.is_none_or(|r| r.trim().is_empty()) {
            return Err(Refusal::ReasonRequired);
        }
        Ok(step.to)
    }

    /// The actions `role` may take from `state`, in table order.
    fn allowed(state: Self::State, role: Role) -> Vec<Self::Action> {
        Self::TABLE
            .iter()
            .filter(|t| t.from == state && t.roles.contains(&role))
            .map(|t| t.action)
            .collect()
    }
}
