//! The tenant's files, which `push-file` places on hosts: upload (the body is
//! the file; the same name again replaces it), list, one file, its content,
//! delete. Jobs pin the content they place by sha256, so replacing or
//! deleting a file never changes a job that already started; content no
//! file names and no running job places is collected. A tenant's files
//! together stay within its quota (413 `files_quota_exceeded`).

use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use futures_util::StreamExt;
use schemars::JsonSchema;
use serde::Serialize;
use tokio::io::AsyncReadExt;

use super::auth::Access;
use super::described::{NoContent, Upserted};
use super::error::ApiError;
use super::{Shared, body};
use crate::store::{FileRecord, OverQuota, file_name_problem};

#[derive(Serialize, JsonSchema)]
pub struct FileList {
    files: Vec<FileRecord>,
    /// Bytes the tenant's files take together.
    used_bytes: u64,
    /// The most they may take (`scena serve --tenant-files-quota-mib`).
    quota_bytes: u64,
}

/// `GET …/files`: every file, by name, and how much of the quota they take.
pub async fn list(State(app): State<Shared>, Extension(access): Extension<Access>) -> Result<Json<FileList>, ApiError> {
    let files = app.files.list(&access.tenant).await?;
    let used_bytes = files.iter().map(|file| file.size_bytes.max(0) as u64).sum();
    Ok(Json(FileList { files, used_bytes, quota_bytes: app.files_quota_bytes }))
}

/// `PUT …/files/{file}` with the content: 201 for a new name, 200 for a replaced one.
pub async fn put(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Upserted<FileRecord>, ApiError> {
    if let Some(problem) = file_name_problem(&name) {
        return Err(ApiError::invalid("invalid_file_name", problem));
    }
    let bytes = body::bytes(raw)?;
    let stored = app.files.put(&access.tenant, &name, &bytes, &access.subject, app.files_quota_bytes).await;
    let (record, created) = stored.map_err(|error| match error.downcast::<OverQuota>() {
        Ok(over) => ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "files_quota_exceeded", over.to_string()),
        Err(error) => error.into(),
    })?;
    Ok(Upserted::new(created, record))
}

async fn record(app: &Shared, access: &Access, name: &str) -> Result<FileRecord, ApiError> {
    app.files.get(&access.tenant, name).await?.ok_or_else(|| ApiError::not_found(format!("file `{name}`")))
}

/// `GET …/files/{file}`
pub async fn show(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
) -> Result<Json<FileRecord>, ApiError> {
    Ok(Json(record(&app, &access, &name).await?))
}

/// `GET …/files/{file}/content`: the bytes, as uploaded.
pub async fn content(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let file = record(&app, &access, &name).await?;
    let path = app.files.content_path(&file.sha256).await?;
    streamed(&path, &file.name).await
}

/// `DELETE …/files/{file}`
pub async fn delete(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, name)): Path<(String, String)>,
) -> Result<NoContent, ApiError> {
    if app.files.delete(&access.tenant, &name).await? {
        Ok(NoContent)
    } else {
        Err(ApiError::not_found(format!("file `{name}`")))
    }
}

/// The file at `path` as a download named `name` (a file name has no
/// quotes: `file_name_problem`), streamed: many agents fetching a large
/// file at once hold a buffer each, not the file each.
pub async fn streamed(path: &std::path::Path, name: &str) -> Result<Response, ApiError> {
    let file = tokio::fs::File::open(path).await.map_err(|e| anyhow::anyhow!("cannot open {}: {e}", path.display()))?;
    let length = file.metadata().await.map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?.len();
    // Fused: a body may be polled again after its end (the compression layer
    // does), and an unfold must not be.
    let chunks = futures_util::stream::unfold(file, |mut file| async move {
        let mut buffer = vec![0u8; 64 << 10];
        match file.read(&mut buffer).await {
            Ok(0) => None,
            Ok(read) => {
                buffer.truncate(read);
                Some((Ok::<_, std::io::Error>(Bytes::from(buffer)), file))
            }
            Err(e) => Some((Err(e), file)),
        }
    })
    .fuse();
    let headers = [
        (CONTENT_TYPE, "application/octet-stream".to_string()),
        (CONTENT_LENGTH, length.to_string()),
        (CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
    ];
    Ok((headers, Body::from_stream(chunks)).into_response())
}
