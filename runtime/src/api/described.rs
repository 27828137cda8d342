//! What a handler's own types say about its route, for the OpenAPI document:
//! the JSON body it takes ([`JsonBody<T>`]), its query (`Query<T>`) and what
//! it answers (`Json<T>`, [`Created<T>`], [`NoContent`] …), each schema
//! derived from the Rust type by schemars. Change a type and the document
//! follows; the API tests check every exchange against the served document.
//!
//! A handler whose answer is not typed (a raw `Response`) is described by
//! hand in `shapes.rs` instead.

use std::future::Future;

use axum::Extension;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::Sse;
use axum::response::{IntoResponse, Response};
use schemars::generate::{Contract, SchemaSettings};
use schemars::{JsonSchema, SchemaGenerator};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::error::ApiError;

/// A route's successful answers: its statuses, and what their body is.
pub struct Success {
    pub statuses: &'static [u16],
    pub body: Body,
}

pub enum Body {
    /// JSON with this schema.
    Json(Value),
    /// One of several media types, each with its schema.
    Forms(Vec<(&'static str, Value)>),
    /// Not JSON: this media type.
    Other(&'static str),
    None,
}

/// What one route's handler declares through its types.
#[derive(Default)]
pub struct Described {
    /// The JSON body's schema, nested types written in place.
    pub request_body: Option<Value>,
    /// Query parameters: name, schema (with its description), required.
    pub query: Vec<(String, Value, bool)>,
    /// `None`: not typed; `shapes.rs` says.
    pub answers: Option<Success>,
}

/// The schema generators of one document: answers put named types in
/// `components.schemas` (as serialized); requests are written in place (as
/// deserialized, so a field with a default is optional).
pub struct Generators {
    pub answers: SchemaGenerator,
    pub requests: SchemaGenerator,
}

impl Generators {
    pub fn new() -> Generators {
        let answers = SchemaSettings::draft2020_12().with(|s| {
            s.definitions_path = "/components/schemas".into();
            s.contract = Contract::Serialize;
        });
        let requests = SchemaSettings::draft2020_12().with(|s| {
            s.inline_subschemas = true;
            s.contract = Contract::Deserialize;
        });
        Generators { answers: answers.into_generator(), requests: requests.into_generator() }
    }

    /// The named types the answers referred to, for `components.schemas`.
    pub fn components(&mut self) -> Map<String, Value> {
        self.answers.take_definitions(true)
    }
}

/// The schema of an answer's body: a reference to a named type, or the type
/// in place; `None` for any JSON at all (`serde_json::Value`), which is not typed.
pub fn answer_schema<T: JsonSchema>(generators: &mut Generators) -> Option<Value> {
    typed(generators.answers.subschema_for::<T>().to_value())
}

fn request_schema<T: JsonSchema>(generators: &mut Generators) -> Option<Value> {
    let mut schema = typed(generators.requests.subschema_for::<T>().to_value())?;
    if let Some(map) = schema.as_object_mut() {
        map.remove("title");
    }
    Some(schema)
}

fn typed(schema: Value) -> Option<Value> {
    let any = schema == Value::Bool(true) || schema.as_object().is_some_and(Map::is_empty);
    (!any).then_some(schema)
}

fn json_answer<T: JsonSchema>(statuses: &'static [u16], generators: &mut Generators) -> Option<Success> {
    answer_schema::<T>(generators).map(|schema| Success { statuses, body: Body::Json(schema) })
}

/// A handler argument: what it adds to the route's description (most add nothing).
pub trait DescribesRequest {
    fn describe(_described: &mut Described, _generators: &mut Generators) {}
}

/// A handler's result: the statuses and the body it answers with when it succeeds.
pub trait DescribesAnswer {
    fn answers(_generators: &mut Generators) -> Option<Success> {
        None
    }
}

/// A handler, described by the types of its arguments and its result.
pub trait DescribedHandler<Args> {
    fn describe(&self, generators: &mut Generators) -> Described;
}

macro_rules! described_handler {
    ($($arg:ident),*) => {
        impl<F, Fut, Out, $($arg,)*> DescribedHandler<($($arg,)*)> for F
        where
            F: Fn($($arg),*) -> Fut,
            Fut: Future<Output = Out>,
            Out: DescribesAnswer,
            $($arg: DescribesRequest,)*
        {
            fn describe(&self, generators: &mut Generators) -> Described {
                let mut described = Described::default();
                $( $arg::describe(&mut described, generators); )*
                described.answers = Out::answers(generators);
                described
            }
        }
    };
}

described_handler!();
described_handler!(A1);
described_handler!(A1, A2);
described_handler!(A1, A2, A3);
described_handler!(A1, A2, A3, A4);
described_handler!(A1, A2, A3, A4, A5);
described_handler!(A1, A2, A3, A4, A5, A6);
described_handler!(A1, A2, A3, A4, A5, A6, A7);
described_handler!(A1, A2, A3, A4, A5, A6, A7, A8);

/// `handler`'s description; the type parameter `Args` is inferred from it.
pub fn describe<H: DescribedHandler<Args>, Args>(handler: &H, generators: &mut Generators) -> Described {
    handler.describe(generators)
}

// Arguments that say nothing the document shows: the path's parameters come
// from the route's template, the caller from the security scheme.
impl<S> DescribesRequest for State<S> {}
impl<T> DescribesRequest for Extension<T> {}
impl<T> DescribesRequest for Option<Extension<T>> {}
impl<T> DescribesRequest for Path<T> {}
impl DescribesRequest for HeaderMap {}
impl DescribesRequest for Request {}
impl DescribesRequest for Bytes {}
impl DescribesRequest for Result<Bytes, BytesRejection> {}
impl DescribesRequest for Result<WebSocketUpgrade, WebSocketUpgradeRejection> {}

impl<T: JsonSchema> DescribesRequest for Query<T> {
    fn describe(described: &mut Described, generators: &mut Generators) {
        describe_query::<T>(described, generators);
    }
}

impl<T: JsonSchema> DescribesRequest for Result<Query<T>, QueryRejection> {
    fn describe(described: &mut Described, generators: &mut Generators) {
        describe_query::<T>(described, generators);
    }
}

/// Each field of the query's type becomes a parameter.
fn describe_query<T: JsonSchema>(described: &mut Described, generators: &mut Generators) {
    let Some(schema) = request_schema::<T>(generators) else { return };
    let required: Vec<&str> = schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        described.query.push((name.clone(), not_null(property.clone()), required.contains(&name.as_str())));
    }
}

/// A query parameter is absent or has a value: never null, as an `Option` field's schema allows.
fn not_null(mut schema: Value) -> Value {
    if let Some(types) = schema.get_mut("type").and_then(Value::as_array_mut) {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            schema["type"] = types[0].clone();
        }
    }
    if let Some(values) = schema.get_mut("enum").and_then(Value::as_array_mut) {
        values.retain(|v| !v.is_null());
    }
    let is_null = |branch: &Value| branch.get("type").is_some_and(|t| t == "null");
    if let Some(branches) = schema.get_mut("anyOf").and_then(Value::as_array_mut) {
        branches.retain(|branch| !is_null(branch));
        if let [only] = branches.as_slice() {
            let only = only.clone();
            let map = schema.as_object_mut().expect("it has anyOf");
            map.remove("anyOf");
            match only {
                Value::Object(fields) => map.extend(fields),
                other => return other,
            }
        }
    }
    schema
}

/// A JSON body of type `T`: 400 if it is not JSON, 422 if it is JSON of the
/// wrong shape (unknown fields included); an empty body reads as `{}`.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<JsonBody<T>, ApiError> {
        let bytes = Bytes::from_request(request, state).await;
        super::body::json(bytes).map(JsonBody)
    }
}

impl<T: JsonSchema> DescribesRequest for JsonBody<T> {
    fn describe(described: &mut Described, generators: &mut Generators) {
        described.request_body = request_schema::<T>(generators);
    }
}

impl<T: DescribesAnswer> DescribesAnswer for Result<T, ApiError> {
    fn answers(generators: &mut Generators) -> Option<Success> {
        T::answers(generators)
    }
}

// Not typed: described in `shapes.rs`.
impl DescribesAnswer for Response {}
impl DescribesAnswer for StatusCode {}
impl<T> DescribesAnswer for (StatusCode, T) {}

impl<S> DescribesAnswer for Sse<S> {
    fn answers(_: &mut Generators) -> Option<Success> {
        Some(Success { statuses: &[200], body: Body::Other("text/event-stream") })
    }
}

impl<T: JsonSchema> DescribesAnswer for Json<T> {
    fn answers(generators: &mut Generators) -> Option<Success> {
        json_answer::<T>(&[200], generators)
    }
}

/// 201 with the created thing.
pub struct Created<T>(pub T);

impl<T: Serialize> IntoResponse for Created<T> {
    fn into_response(self) -> Response {
        (StatusCode::CREATED, Json(self.0)).into_response()
    }
}

impl<T: JsonSchema> DescribesAnswer for Created<T> {
    fn answers(generators: &mut Generators) -> Option<Success> {
        json_answer::<T>(&[201], generators)
    }
}

/// 201 when it made the thing, 200 when it was there already (or was changed).
pub enum Upserted<T> {
    Created(T),
    Existing(T),
}

impl<T> Upserted<T> {
    pub fn new(created: bool, body: T) -> Upserted<T> {
        if created { Upserted::Created(body) } else { Upserted::Existing(body) }
    }
}

impl<T: Serialize> IntoResponse for Upserted<T> {
    fn into_response(self) -> Response {
        match self {
            Upserted::Created(body) => (StatusCode::CREATED, Json(body)).into_response(),
            Upserted::Existing(body) => Json(body).into_response(),
        }
    }
}

impl<T: JsonSchema> DescribesAnswer for Upserted<T> {
    fn answers(generators: &mut Generators) -> Option<Success> {
        json_answer::<T>(&[200, 201], generators)
    }
}

/// 204: done, nothing to say.
pub struct NoContent;

impl IntoResponse for NoContent {
    fn into_response(self) -> Response {
        StatusCode::NO_CONTENT.into_response()
    }
}

impl DescribesAnswer for NoContent {
    fn answers(_: &mut Generators) -> Option<Success> {
        Some(Success { statuses: &[204], body: Body::None })
    }
}

/// The flow document's schema, which the document holds already (from
/// `flow.schema.json`, as `Flow`): a field holding a flow names it with
/// `#[schemars(with = "FlowSchema")]`.
pub struct FlowSchema;

impl JsonSchema for FlowSchema {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Flow".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"$ref": "#/components/schemas/Flow"})
    }
}

/// 200 with `T` and an `ETag` (a flow draft's revision), for `If-Match` on the next write.
pub struct Tagged<T>(pub Option<String>, pub T);

impl<T: Serialize> IntoResponse for Tagged<T> {
    fn into_response(self) -> Response {
        match self.0 {
            Some(tag) => ([(axum::http::header::ETAG, tag)], Json(self.1)).into_response(),
            None => Json(self.1).into_response(),
        }
    }
}

impl<T: JsonSchema> DescribesAnswer for Tagged<T> {
    fn answers(generators: &mut Generators) -> Option<Success> {
        json_answer::<T>(&[200], generators)
    }
}

/// 202 with `T`: taken, still going.
pub struct Accepted<T>(pub T);

impl<T: Serialize> IntoResponse for Accepted<T> {
    fn into_response(self) -> Response {
        (StatusCode::ACCEPTED, Json(self.0)).into_response()
    }
}

impl<T: JsonSchema> DescribesAnswer for Accepted<T> {
    fn answers(generators: &mut Generators) -> Option<Success> {
        json_answer::<T>(&[202], generators)
    }
}

/// An answer with a header the document does not need to describe (a
/// session's `Set-Cookie`), described as the answer itself.
pub struct WithHeader<T>(pub axum::http::HeaderName, pub axum::http::HeaderValue, pub T);

impl<T: IntoResponse> IntoResponse for WithHeader<T> {
    fn into_response(self) -> Response {
        let mut response = self.2.into_response();
        response.headers_mut().insert(self.0, self.1);
        response
    }
}

impl<T: DescribesAnswer> DescribesAnswer for WithHeader<T> {
    fn answers(generators: &mut Generators) -> Option<Success> {
        T::answers(generators)
    }
}
