// What every statement file below needs. The files are included per engine
// by `store/mod.rs`, where `Db`, `Conn`, `SKIP_LOCKED` and `LOCK_KEY` name
// the engine; `QueryBuilder` writes each engine's own placeholders.

use sqlx::QueryBuilder;

use crate::store::console::{
    ActOutcome, AssigneeFilter, Assignment, ComplaintRecord, DigestDue, NewView, SavedView, DueFilter, FoundRow, HistoryEvent, Identity, InboxQuery,
    InboxRow, NewOfficer, NewSession, OPEN, Officer, ComplaintRef, ReporterQuery, Scope,
    Transition, UnitLoad, WordQuery,
};
use crate::store::StoreError;
