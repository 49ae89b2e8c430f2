// The structs of an operation module read and write JSON as serde's derives
// with `deny_unknown_fields` would. A missing `Option` field is `None`, a raw
// identifier is named without `r#`, and a documented field is a plain field.
// A struct with `#[serde(...)]` options keeps serde's derive and its options.

mod catalog {
    mod labels {
        use db_core::prelude::*;

        /// Finds the labels of one kind.
        #[db_op("db:catalog:labels:find_labels:1")]
        pub mod find_labels {
            use super::*;

            pub struct Request {
                /// The kind of label.
                #[db(max_chars = 32)]
                pub r#type: String,
                #[db(max_chars = 64)]
                pub prefix: Option<String>,
                pub limit: i64,
            }

            #[serde(rename_all = "camelCase")]
            pub struct Label {
                pub label_name: String,
                pub use_count: i64,
            }

            pub type Response = Vec<Label>;

            async fn sqlite(
                _conn: &mut SqliteConnection,
                _request: Request,
            ) -> Result<Response, DbError> {
                Ok(Vec::new())
            }

            async fn postgres(
                _conn: &mut PgConnection,
                _request: Request,
            ) -> Result<Response, DbError> {
                Ok(Vec::new())
            }

            async fn mysql(
                _conn: &mut MySqlConnection,
                _request: Request,
            ) -> Result<Response, DbError> {
                Ok(Vec::new())
            }
        }

        pub use find_labels::{Label, Request};
    }

    pub use labels::{Label, Request};
}

use catalog::{Label, Request};
use serde_json::json;

fn main() {
    let request: Request = serde_json::from_value(json!({"type": "color", "limit": 5})).unwrap();
    assert_eq!(request.r#type, "color");
    assert_eq!(request.prefix, None);
    assert_eq!(request.limit, 5);

    assert_eq!(
        serde_json::to_value(&request).unwrap(),
        json!({"type": "color", "prefix": null, "limit": 5})
    );

    let request: Request =
        serde_json::from_str(r#"{"limit": 1, "prefix": "bl", "type": "color"}"#).unwrap();
    assert_eq!(request.prefix.as_deref(), Some("bl"));
    assert_eq!(
        serde_json::to_string(&request).unwrap(),
        r#"{"type":"color","prefix":"bl","limit":1}"#
    );

    let error = serde_json::from_value::<Request>(json!({"type": "color", "limit": 5, "size": 1}))
        .unwrap_err()
        .to_string();
    assert_eq!(
        error,
        "unknown field `size`, expected one of `type`, `prefix`, `limit`"
    );
    let error = serde_json::from_value::<Request>(json!({"type": "color"}))
        .unwrap_err()
        .to_string();
    assert_eq!(error, "missing field `limit`");
    let error = serde_json::from_str::<Request>(r#"{"type": "a", "type": "b", "limit": 1}"#)
        .unwrap_err()
        .to_string();
    assert!(error.starts_with("duplicate field `type`"), "{error}");

    let label: Label = serde_json::from_value(json!({"labelName": "red", "useCount": 3})).unwrap();
    assert_eq!(label.label_name, "red");
    assert!(serde_json::from_value::<Label>(json!({"labelName": "red", "useCount": 3, "x": 0})).is_err());
    assert_eq!(
        serde_json::to_value(&label).unwrap(),
        json!({"labelName": "red", "useCount": 3})
    );

    let info = db_core::find_operation("db:catalog:labels:find_labels:1")
        .expect("the operation is registered");
    let names: Vec<&str> = info.request.iter().map(|field| field.name).collect();
    assert_eq!(names, ["type", "prefix", "limit"]);
}
