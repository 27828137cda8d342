//! The studio as the server serves it: files with a strict
//! Content-Security-Policy, hashed assets cached for good and the page never,
//! every page path answered with the app, and API paths never swallowed.

use reqwest::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};

use crate::support::TempDir;
use crate::support::server::{Server, serve_with};

async fn get(server: &Server, path: &str) -> (u16, reqwest::header::HeaderMap, String) {
    let response = scena::tls::client().get(format!("{}{path}", server.base)).send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

fn header(headers: &reqwest::header::HeaderMap, name: reqwest::header::HeaderName) -> String {
    headers.get(name).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_studio_is_served_at_the_root_with_a_strict_policy() {
    let root = TempDir::new("studio-site");
    let site = root.path().join("site");
    std::fs::create_dir_all(site.join("assets")).unwrap();
    std::fs::write(site.join("index.html"), "<!doctype html><title>studio</title>").unwrap();
    std::fs::write(site.join("assets/app-1a2b3c.js"), "export {}").unwrap();
    std::fs::write(root.path().join("outside.txt"), "not the studio's").unwrap();
    let server = serve_with("studio-files", &["echo"], &["--studio-dir", site.to_str().unwrap()]);

    for page in ["/", "/login", "/t/default/flows/version-release", "/t/default/runs/0190"] {
        let (status, headers, body) = get(&server, page).await;
        assert_eq!((status, body.as_str()), (200, "<!doctype html><title>studio</title>"), "{page}");
        assert!(header(&headers, CONTENT_TYPE).starts_with("text/html"), "{page}");
        assert_eq!(header(&headers, CACHE_CONTROL), "no-cache", "the page is never cached: {page}");
        let policy = header(&headers, CONTENT_SECURITY_POLICY);
        assert!(policy.contains("script-src 'self' 'wasm-unsafe-eval'"), "{policy}");
        assert!(!policy.split(';').any(|d| d.contains("script-src") && d.contains("unsafe-inline")), "{policy}");
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    }
    let (status, headers, body) = get(&server, "/assets/app-1a2b3c.js").await;
    assert_eq!((status, body.as_str()), (200, "export {}"));
    assert!(header(&headers, CONTENT_TYPE).starts_with("text/javascript"));
    assert!(header(&headers, CACHE_CONTROL).contains("immutable"), "hashed assets are cached for good");

    // A missing file is not the app, and nothing above the folder is served.
    for missing in ["/assets/app-missing.js", "/favicon.ico", "/..%2Foutside.txt", "/assets/..%2F..%2Foutside.txt"] {
        let (status, _, body) = get(&server, missing).await;
        assert_eq!(status, 404, "{missing}: {body}");
        assert!(!body.contains("not the studio's"), "{missing}");
    }
    // API paths keep their JSON 404s.
    for api in ["/api/v1/nothing", "/api/v2", "/hooks/"] {
        let (status, headers, body) = get(&server, api).await;
        assert_eq!(status, 404, "{api}");
        assert!(header(&headers, CONTENT_TYPE).starts_with("application/json"), "{api}: {body}");
    }
    // Writes to page paths are not pages.
    let posted = scena::tls::client().post(format!("{}/t/default/flows", server.base)).send().await.unwrap();
    assert_eq!(posted.status().as_u16(), 404);
}
