//! Pure rules of the service: reference data, routing, working-day clocks,
//! the complaint lifecycle. Nothing here knows about HTTP or SQL.

pub mod calendar;
pub mod catalog;
pub mod lifecycle;
pub mod reference;
pub mod routing;
