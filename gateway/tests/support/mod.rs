//! Helpers the gateway's integration tests share.

pub mod redis;
