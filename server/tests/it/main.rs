//! Integration tests: one binary, a service on a random port per test.

mod support;

mod contract;
mod durability;
mod http_errors;
mod http_flow;
mod migrations;
