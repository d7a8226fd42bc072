//! Server data loaded into a page: `Loaded<T>` is Leptos' `Resource<T>`
//! with a JSON codec that decodes from bytes, as server function results are.
//!
//! Leptos' default resource codec decodes with `serde_json::from_str`,
//! server functions with `serde_json::from_slice`: two decoders per type in
//! the wasm, one for the value sent with the page and one for a reload.
//! Decoding both from bytes keeps one (docs/architecture.md, "The browser app in bundles").
//! The wire is the same JSON.

use leptos::prelude::*;
use leptos::server::codee::{Decoder, Encoder};
use serde::{de::DeserializeOwned, Serialize};
use std::future::Future;

/// JSON, decoded from the string's bytes.
pub struct JsonBytes;

impl<T: Serialize> Encoder<T> for JsonBytes {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(value: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string(value)
    }
}

impl<T: DeserializeOwned> Decoder<T> for JsonBytes {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(text: &str) -> Result<T, serde_json::Error> {
        serde_json::from_slice(text.as_bytes())
    }
}

/// Server data a page shows, loaded again whenever `source` changes.
pub type Loaded<T> = Resource<T, JsonBytes>;

/// `Resource::new`, with the one-decoder codec.
#[track_caller]
pub fn load<T, S, Fut>(source: impl Fn() -> S + Send + Sync + 'static, fetcher: impl Fn(S) -> Fut + Send + Sync + 'static) -> Loaded<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    S: PartialEq + Clone + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}
