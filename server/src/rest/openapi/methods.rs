//! The eight HTTP methods of an OpenAPI path item, and reaching one's operation.

use utoipa::openapi::path::{HttpMethod, Operation};

/// Every method a path item can hold, with its name in the document.
pub(super) const METHODS: [(HttpMethod, &str); 8] = [
    (HttpMethod::Get, "get"),
    (HttpMethod::Put, "put"),
    (HttpMethod::Post, "post"),
    (HttpMethod::Delete, "delete"),
    (HttpMethod::Options, "options"),
    (HttpMethod::Head, "head"),
    (HttpMethod::Patch, "patch"),
    (HttpMethod::Trace, "trace"),
];

pub(super) fn operation_mut<'a>(item: &'a mut utoipa::openapi::PathItem, method: &HttpMethod) -> Option<&'a mut Operation> {
    match method {
        HttpMethod::Get => item.get.as_mut(),
        HttpMethod::Put => item.put.as_mut(),
        HttpMethod::Post => item.post.as_mut(),
        HttpMethod::Delete => item.delete.as_mut(),
        HttpMethod::Options => item.options.as_mut(),
        HttpMethod::Head => item.head.as_mut(),
        HttpMethod::Patch => item.patch.as_mut(),
        HttpMethod::Trace => item.trace.as_mut(),
    }
}
