//! Who may do what: every permission the API checks, and the one table that grants them to
//! roles. Handlers ask `AuthUser::require(Permission::…)`; what a caller may *see* is its
//! scope's business (src/db/scope.rs), so a permitted action on an object outside the scope is
//! still a 404.

use super::Role;

/// An action guarded by role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::Display, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Permission {
    /// Create, change and delete units, persons, blocs and their members, and movements.
    EditRegistry,
    /// Import units and persons from files.
    ImportRegistry,
    /// Create, change, disable users and reset their passwords.
    ManageUsers,
    /// Read the audit trail.
    ReadAudit,
    /// Register a unit for a movement and edit its pledge (one's own unit, for an officer).
    RegisterForMovement,
    /// Approve or reject a unit's registration.
    DecideRegistration,
    /// Open, review and close a movement.
    RunMovement,
    /// Set goals and report their actuals (one's own unit's, for an officer).
    EditGoals,
    /// Record review meetings (their bloc's, for its chair, while a draft: see `ops::reviews`).
    WriteReviews,
    /// Create, change and delete covenants, their criteria and bands.
    EditCovenant,
    /// Create and fill in score sheets and move them through their workflow; which sheets is
    /// the sheet-level rule's (`domain::score_sheet`).
    ScoreSheets,
}

/// The grant table: the roles holding each permission.
pub fn holders(p: Permission) -> &'static [Role] {
    use Permission::*;
    match p {
        EditRegistry | ImportRegistry | ManageUsers | ReadAudit | DecideRegistration
        | RunMovement | EditCovenant => &[Role::Admin],
        RegisterForMovement | EditGoals => &[Role::Admin, Role::UnitOfficer],
        WriteReviews | ScoreSheets => &[Role::Admin, Role::BlocChair, Role::UnitOfficer],
    }
}

pub fn allows(role: Role, p: Permission) -> bool {
    holders(p).contains(&role)
}

#[cfg(test)]
mod tests {
    use strum::VariantArray;

    use super::*;

    /// The whole table, read as a table: a change to who may do what shows up here.
    #[test]
    fn the_grant_table() {
        let expected: &[(Permission, [bool; 4])] = &[
            // admin, bloc_chair, unit_officer, viewer
            (Permission::EditRegistry, [true, false, false, false]),
            (Permission::ImportRegistry, [true, false, false, false]),
            (Permission::ManageUsers, [true, false, false, false]),
            (Permission::ReadAudit, [true, false, false, false]),
            (Permission::RegisterForMovement, [true, false, true, false]),
            (Permission::DecideRegistration, [true, false, false, false]),
            (Permission::RunMovement, [true, false, false, false]),
            (Permission::EditGoals, [true, false, true, false]),
            (Permission::WriteReviews, [true, true, true, false]),
            (Permission::EditCovenant, [true, false, false, false]),
            (Permission::ScoreSheets, [true, true, true, false]),
        ];
        assert_eq!(expected.len(), Permission::VARIANTS.len());
        let roles = [
            Role::Admin,
            Role::BlocChair,
            Role::UnitOfficer,
            Role::Viewer,
        ];
        for (p, row) in expected {
            for (role, want) in roles.iter().zip(row) {
                assert_eq!(allows(*role, *p), *want, "{role} {p}");
            }
        }
    }
}
