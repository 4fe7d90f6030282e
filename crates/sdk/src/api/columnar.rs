//! The data endpoints with the columnar body: the client asks for
//! `application/vnd.vantage.columnar` (see [`vantage_contract::columnar`]) and decodes it in
//! wasm, keeping each numeric column as one `f64` slice for the charts. A backend that answers
//! JSON instead (the binary body is optional in the contract) is read as JSON, so these methods
//! work against any conformant backend.

use gloo_net::http::Method;
use serde::Serialize;
use vantage_contract::columnar::{self, DecodedDashboardData, DecodedResult};
use vantage_contract::{DashboardDataRequest, Query};

use super::client::{decode, RawBody};
use super::ApiClient;
use crate::SdkError;

/// `Accept` of the data requests: the columnar body, else JSON.
const ACCEPT: &str = "application/vnd.vantage.columnar, application/json;q=0.9";

impl ApiClient {
    /// `POST /dashboards/{id}/data`, asking for the columnar body: every widget's data in one
    /// round trip, with each result's numeric columns.
    ///
    /// # Errors
    /// Whole-request failures only; per-widget failures come back inside the data.
    pub async fn dashboard_data_columnar(
        &self,
        id: &str,
        request: &DashboardDataRequest,
    ) -> Result<DecodedDashboardData, SdkError> {
        let path = format!("/dashboards/{}/data", super::endpoints::enc(id));
        let body = self.post_columnar(&path, request).await?;
        if body.is(columnar::MEDIA_TYPE) {
            columnar::decode_dashboard_data(&body.bytes).map_err(decode_error)
        } else {
            Ok(DecodedDashboardData {
                data: decode(&body.bytes)?,
                numbers: Default::default(),
            })
        }
    }

    /// `POST /query`, asking for the columnar body.
    ///
    /// # Errors
    /// 422 naming the invalid field.
    pub async fn query_columnar(&self, query: &Query) -> Result<DecodedResult, SdkError> {
        let body = self.post_columnar("/query", query).await?;
        if body.is(columnar::MEDIA_TYPE) {
            columnar::decode_result(&body.bytes).map_err(decode_error)
        } else {
            Ok(DecodedResult {
                result: decode(&body.bytes)?,
                numbers: Default::default(),
            })
        }
    }

    async fn post_columnar<B: Serialize>(&self, path: &str, body: &B) -> Result<RawBody, SdkError> {
        self.request_body(Method::POST, path, Some(body), true, &[("Accept", ACCEPT)])
            .await
    }
}

fn decode_error(e: columnar::ColumnarError) -> SdkError {
    SdkError::Decode(format!("the columnar body is malformed: {e}"))
}
