//! The widget bundle for embedding on other sites: the loader at
//! `/widget.js` (cached briefly, so a new release reaches pages soon) and the
//! content-hashed glue and wasm under `/dist/` (cached for a year). Both are
//! served precompressed, to any origin, and may be loaded cross-origin.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// True for names like `aduan_widget_bg.0123456789abcdef.wasm`.
pub fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.split('.')
        .any(|part| part.len() == 16 && part.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Adds the caching and cross-origin headers of the bundle.
pub async fn bundle_headers(request: Request, next: Next) -> Response {
    let hashed = is_hashed(request.uri().path());
    let mut response = next.run(request).await;
    if !response.status().is_success() && response.status().as_u16() != 304 {
        return response;
    }
    let headers = response.headers_mut();
    let cache = if hashed {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=300"
    };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::HeaderName::from_static("cross-origin-resource-policy"),
        HeaderValue::from_static("cross-origin"),
    );
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

#[cfg(test)]
mod tests {
    use super::is_hashed;

    #[test]
    fn only_content_hashed_names_are_immutable() {
        assert!(is_hashed("/dist/aduan_widget_bg.0123456789abcdef.wasm"));
        assert!(is_hashed("/dist/aduan_widget.fedcba9876543210.js"));
        assert!(!is_hashed("/widget.js"));
        assert!(!is_hashed("/dist/widget.js"));
    }
}
