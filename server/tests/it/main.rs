//! Integration tests: one binary, a service on a random port per test.

mod support;
mod tus_client;
mod widget_files;

mod attachments;
mod fixtures;

mod balancer;
mod browser;
mod bundle;
mod console;
mod contract;
mod cutter;
mod durability;
mod e2e;
mod early;
mod hardening;
mod hosted;
mod http_errors;
mod http_flow;
mod lapor;
mod mail;
mod metrics;
mod migrations;
mod moving;
mod open311;
mod openapi;
mod outbox;
mod position;
mod privacy;
mod processes;
mod sign_in;
mod sites;
mod stats;
mod supporters;
mod work;
