//! Storage quotas over HTTP: uploads stop at the uploader's quota, also
//! when they run concurrently.

use crate::common::projects::*;
use crate::common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn uploads_respect_the_quota_even_concurrently() {
    for db in test_databases().await {
        let data = tempfile::tempdir().unwrap();
        let server = TestServer::start(&config(&db, data.path())).await;
        users(&server, &["owner", "member", "collab"]).await;
        let owner = Actor::signed_in(&server, "owner").await;
        project(&owner, "lab", "private").await;
        let admin = Actor { name: "admin", client: Client::new(&server.base), basic: Some(format!("admin:{PASSWORD}")) };
        let (status, body) = admin.json(Method::POST, "/users/member/meta", json!({"maxStorageMB": 1})).await;
        assert_eq!(status, 200, "{body}");
        let member = Actor::signed_in(&server, "member").await;
        assert_eq!(storage(&member).await, json!({"total": 1_048_576, "used": 0}));

        let (status, body) = upload(&member, "lab", "a.bin", vec![7u8; 600_000]).await;
        assert_eq!((status, body["size"].as_i64()), (StatusCode::CREATED, Some(600_000)));
        let (status, body) = upload(&member, "lab", "b.bin", vec![7u8; 600_000]).await;
        assert_eq!(status, 413, "{body}");
        assert!(body["error"].as_str().unwrap().contains("storage quota of 1.0 MB"), "{body}");
        assert_eq!(storage(&member).await["used"], 600_000, "a refused upload changes nothing");
        let (_, page) = member.call("/api/projects/datasets/get", &json!({"slug": "lab", "name": "ds"})).await;
        let names: Vec<&str> = page["files"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
        assert!(!names.contains(&"b.bin"), "no row for the refused file");
        let leftovers = std::fs::read_dir(data.path().join("tmp")).unwrap().count();
        assert_eq!(leftovers, 0, "no partial file left behind");
        assert_eq!(std::fs::read_dir(data.path().join("files")).unwrap().count(), 1, "only a.bin's bytes are stored");
        // Downloads stream back the exact bytes, as an attachment.
        let res = reqwest::Client::new().get(server.url("/files/lab/ds/a.bin")).basic_auth("owner", Some(PASSWORD)).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-disposition"], "attachment; filename=\"a.bin\"; filename*=UTF-8''a.bin");
        assert_eq!(res.bytes().await.unwrap().to_vec(), vec![7u8; 600_000]);

        // Ten concurrent uploads of 100 kB with 448,576 bytes free: at most 4 fit.
        let names: Vec<String> = (0..10).map(|n| format!("c{n}.bin")).collect();
        let uploads = names.iter().map(|name| upload(&member, "lab", name, vec![1u8; 100_000]));
        let results = futures_util::future::join_all(uploads).await;
        let stored = results.iter().filter(|(s, _)| *s == StatusCode::CREATED).count();
        let refused = results.iter().filter(|(s, _)| *s == StatusCode::PAYLOAD_TOO_LARGE).count();
        assert_eq!((stored, refused), (4, 6), "{results:?}");
        let used = storage(&member).await["used"].as_i64().unwrap();
        assert_eq!(used, 600_000 + 400_000);
        assert!(used <= 1_048_576);

        // Deleting gives the bytes back (owners delete; members may not).
        let (status, _) = member.rest(Method::DELETE, "/files/lab/ds/a.bin", None).await;
        assert_eq!(status, 403);
        let (status, _) = owner.rest(Method::DELETE, "/files/lab/ds/a.bin", None).await;
        assert_eq!(status, 204);
        assert_eq!(storage(&member).await["used"], 400_000);
        let (_, detailed) = admin.rest(Method::GET, "/users/detailed", None).await;
        let row = detailed.as_array().unwrap().iter().find(|u| u["userName"] == "member").unwrap();
        assert_eq!((row["storageUsed"].as_i64(), row["storageQuota"].as_i64()), (Some(400_000), Some(1_048_576)));
        assert_eq!(row["organizations"], json!(["lab"]));
        // Deleting the project removes its files and releases the storage.
        let (status, _) = owner.rest(Method::DELETE, "/orgs/lab", None).await;
        assert_eq!(status, 204);
        assert_eq!(storage(&member).await["used"], 0);
        assert_eq!(std::fs::read_dir(data.path().join("files")).unwrap().count(), 0);
    }
}
