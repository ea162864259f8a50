//! An axum service that only TAAP-signed calls reach: `PopLayer` validates each request's PoP
//! token against one client's public key and hands the decoded token to the handler.
//!
//! ```text
//! cargo run --release -p taap-tower --features redis --example axum_layer -- \
//!   tests/keys/tmobile/readme-public.pem 3000
//! url=http://127.0.0.1:3000/hello?name=taap
//! pop=$(cargo run --release -q -p taap-cli -- pop --key tests/keys/tmobile/readme-private-pkcs8.pem \
//!   --method GET --url "$url")
//! curl -i -H "X-Authorization: $pop" "$url"     # 200; the same command again: 401, kind Replay
//! ```
//!
//! A third argument, `redis://127.0.0.1:6379`, keeps the `jti`s in Redis instead of this
//! process, so several copies of the service refuse a token any one of them accepted (and
//! answer 503 while Redis is unreachable).

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::http::Uri;
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde_json::{json, Value};
use taap::{PopToken, PublicKey};
use taap_tower::{PopLayer, RedisStore, DEFAULT_STORE_DEADLINE};

/// Greets the caller; runs only for requests whose PoP token passed every check.
async fn hello(uri: Uri, Extension(token): Extension<PopToken>) -> Json<Value> {
    let claims = token.claims();
    Json(json!({
        "hello": uri.query().unwrap_or("world"),
        "signed": claims.ehts,
        "jti": claims.jti,
    }))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let key_path = args.next().ok_or("usage: axum_layer PUBLIC_KEY.pem [PORT [REDIS_URL]]")?;
    let port: u16 = args.next().map_or(Ok(3000), |port| port.parse())?;
    let mut layer = PopLayer::new(PublicKey::from_file(&key_path)?);
    if let Some(redis_url) = args.next() {
        layer = layer.replay_store(Arc::new(RedisStore::open(&redis_url, DEFAULT_STORE_DEADLINE)?));
    }
    let app = Router::new().route("/hello", get(hello)).layer(layer);
    let listener = tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
