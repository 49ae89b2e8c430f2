//! The serde code that `#[db_op]` relies on for the plain structs of an
//! operation module.
//!
//! serde's `Deserialize` derive writes a field enum, two visitors and their
//! impls for every struct, and rustc expands that code again on each build
//! of the crate that defines the operations. Here the visitors are generic
//! and written once, so a struct adds only a [`Fields::visit`] function that
//! stores each field by its index. The result behaves like the derive with
//! `deny_unknown_fields`: the same error messages, a missing `Option` field
//! reads as `None`, and a sequence supplies the fields in declaration order.
//!
//! [`decode_object`] reads a request from a JSON payload's fields with the
//! same function, for the dynamic call path.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{
    self, Deserialize, DeserializeSeed, Deserializer, Expected, MapAccess, SeqAccess, Unexpected,
    Visitor,
};
use serde_json::{Map, Value, map};

use crate::dispatch::payload_error;
use crate::error::DbError;
use crate::operation::OperationInfo;

/// A struct with named fields that [`deserialize`] can build.
pub trait Fields: Sized {
    /// The struct's name, as error messages show it.
    const NAME: &'static str;
    /// The field names, in declaration order.
    const FIELDS: &'static [&'static str];

    /// Reads every field from `source` and builds the struct.
    fn visit<'de, S: Source<'de>>(source: S) -> Result<Self, S::Error>;
}

/// The fields of one struct, as a map or a sequence supplies them.
pub trait Source<'de> {
    /// The error type of the deserializer.
    type Error: de::Error;

    /// Returns the index of the next field in [`Fields::FIELDS`], or `None`
    /// when no field is left.
    fn next_field(&mut self) -> Result<Option<usize>, Self::Error>;

    /// Reads the value of the field that [`Source::next_field`] returned.
    fn read<T: Deserialize<'de>>(
        &mut self,
        slot: &mut Option<T>,
        name: &'static str,
    ) -> Result<(), Self::Error>;

    /// Returns the value read for the field `name`, or what its absence
    /// means: `None` for an `Option`, an error for any other type.
    fn take<T: Deserialize<'de>>(
        &self,
        slot: Option<T>,
        name: &'static str,
    ) -> Result<T, Self::Error>;
}

/// Deserializes `T` from a map of its field names or a sequence of its fields.
pub fn deserialize<'de, T: Fields, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    deserializer.deserialize_struct(T::NAME, T::FIELDS, StructVisitor(PhantomData))
}

/// Builds `T` from the fields of a JSON payload, as the dynamic call path
/// decodes a request.
///
/// It reads the object's entries directly, so only the field types go
/// through the path-tracking deserializer, and those are shared by every
/// operation. A failure names the operation and the field at fault, like
/// the `Deserialize` path.
pub fn decode_object<T: Fields>(
    info: &OperationInfo,
    fields: Map<String, Value>,
) -> Result<T, DbError> {
    let source = ObjectSource {
        entries: fields.into_iter(),
        fields: T::FIELDS,
        value: Value::Null,
    };
    match T::visit(source) {
        Ok(value) => Ok(value),
        Err(error) => Err(payload_error(info, &error.path, &error.message)),
    }
}

/// A decoding failure and the path of the value at fault (`.` for the
/// payload itself).
#[derive(Debug)]
struct PathError {
    path: String,
    message: String,
}

impl PathError {
    /// Places an error raised inside the value of field `name`.
    fn in_field(name: &str, error: serde_path_to_error::Error<serde_json::Error>) -> Self {
        let inner = error.path().to_string();
        let path = if inner == "." {
            name.to_owned()
        } else if inner.starts_with('[') {
            format!("{name}{inner}")
        } else {
            format!("{name}.{inner}")
        };
        PathError {
            path,
            message: error.into_inner().to_string(),
        }
    }
}

impl fmt::Display for PathError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.message)
    }
}

impl std::error::Error for PathError {}

impl de::Error for PathError {
    fn custom<M: fmt::Display>(message: M) -> Self {
        PathError {
            path: ".".to_owned(),
            message: message.to_string(),
        }
    }
}

/// The entries of a JSON object, read in their order.
struct ObjectSource {
    entries: map::IntoIter,
    fields: &'static [&'static str],
    /// The value of the field that `next_field` returned last.
    value: Value,
}

impl Source<'static> for ObjectSource {
    type Error = PathError;

    fn next_field(&mut self) -> Result<Option<usize>, PathError> {
        let Some((name, value)) = self.entries.next() else {
            return Ok(None);
        };
        let index = FieldName(self.fields).visit_str(&name)?;
        self.value = value;
        Ok(Some(index))
    }

    fn read<T: Deserialize<'static>>(
        &mut self,
        slot: &mut Option<T>,
        name: &'static str,
    ) -> Result<(), PathError> {
        if slot.is_some() {
            return Err(de::Error::duplicate_field(name));
        }
        let value = std::mem::take(&mut self.value);
        let decoded = serde_path_to_error::deserialize(value)
            .map_err(|error| PathError::in_field(name, error))?;
        *slot = Some(decoded);
        Ok(())
    }

    fn take<T: Deserialize<'static>>(
        &self,
        slot: Option<T>,
        name: &'static str,
    ) -> Result<T, PathError> {
        take_named(slot, name)
    }
}

struct StructVisitor<T>(PhantomData<T>);

impl<'de, T: Fields> Visitor<'de> for StructVisitor<T> {
    type Value = T;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "struct {}", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::visit(MapSource {
            map,
            fields: T::FIELDS,
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<T, A::Error> {
        T::visit(SeqSource {
            seq,
            name: T::NAME,
            len: T::FIELDS.len(),
            read: 0,
            ended: false,
        })
    }
}

struct MapSource<A> {
    map: A,
    fields: &'static [&'static str],
}

impl<'de, A: MapAccess<'de>> Source<'de> for MapSource<A> {
    type Error = A::Error;

    fn next_field(&mut self) -> Result<Option<usize>, A::Error> {
        self.map.next_key_seed(FieldName(self.fields))
    }

    fn read<T: Deserialize<'de>>(
        &mut self,
        slot: &mut Option<T>,
        name: &'static str,
    ) -> Result<(), A::Error> {
        if slot.is_some() {
            return Err(de::Error::duplicate_field(name));
        }
        *slot = Some(self.map.next_value()?);
        Ok(())
    }

    fn take<T: Deserialize<'de>>(
        &self,
        slot: Option<T>,
        name: &'static str,
    ) -> Result<T, A::Error> {
        take_named(slot, name)
    }
}

struct SeqSource<A> {
    seq: A,
    name: &'static str,
    len: usize,
    read: usize,
    ended: bool,
}

impl<'de, A: SeqAccess<'de>> Source<'de> for SeqSource<A> {
    type Error = A::Error;

    fn next_field(&mut self) -> Result<Option<usize>, A::Error> {
        Ok((!self.ended && self.read < self.len).then_some(self.read))
    }

    fn read<T: Deserialize<'de>>(
        &mut self,
        slot: &mut Option<T>,
        _name: &'static str,
    ) -> Result<(), A::Error> {
        match self.seq.next_element()? {
            Some(value) => {
                *slot = Some(value);
                self.read += 1;
            }
            None => self.ended = true,
        }
        Ok(())
    }

    fn take<T: Deserialize<'de>>(
        &self,
        slot: Option<T>,
        _name: &'static str,
    ) -> Result<T, A::Error> {
        slot.ok_or_else(|| de::Error::invalid_length(self.read, self))
    }
}

impl<A> Expected for SeqSource<A> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "struct {} with {} elements", self.name, self.len)
    }
}

/// Reads a field name, or a field index from formats that store indices.
struct FieldName(&'static [&'static str]);

impl<'de> DeserializeSeed<'de> for FieldName {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for FieldName {
    type Value = usize;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("field identifier")
    }

    fn visit_u64<E: de::Error>(self, index: u64) -> Result<usize, E> {
        match usize::try_from(index) {
            Ok(index) if index < self.0.len() => Ok(index),
            _ => Err(E::invalid_value(
                Unexpected::Unsigned(index),
                &FieldIndex(self.0.len()),
            )),
        }
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<usize, E> {
        self.0
            .iter()
            .position(|field| *field == name)
            .ok_or_else(|| E::unknown_field(name, self.0))
    }

    fn visit_bytes<E: de::Error>(self, name: &[u8]) -> Result<usize, E> {
        self.0
            .iter()
            .position(|field| field.as_bytes() == name)
            .ok_or_else(|| E::unknown_field(&String::from_utf8_lossy(name), self.0))
    }
}

/// The valid field indices of a struct with this many fields.
struct FieldIndex(usize);

impl Expected for FieldIndex {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "field index 0 <= i < {}", self.0)
    }
}

/// Returns the value read for the field `name`, or `None` for an absent
/// `Option` field and a "missing field" error for any other absent field.
fn take_named<'de, T: Deserialize<'de>, E: de::Error>(
    slot: Option<T>,
    name: &'static str,
) -> Result<T, E> {
    match slot {
        Some(value) => Ok(value),
        None => T::deserialize(MissingField {
            name,
            error: PhantomData,
        }),
    }
}

/// Stands in for an absent field: an `Option` reads it as `None`, any other
/// type fails with "missing field".
struct MissingField<E> {
    name: &'static str,
    error: PhantomData<E>,
}

impl<'de, E: de::Error> Deserializer<'de> for MissingField<E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, E> {
        Err(E::missing_field(self.name))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_none()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple tuple_struct
        map struct enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::{Value, json};

    use super::*;

    /// The same struct twice: with serde's derive, and with the impls that
    /// `#[db_op]` writes.
    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Derived {
        key: String,
        count: i64,
        note: Option<String>,
        items: Option<Vec<Item>>,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Item {
        name: String,
    }

    #[derive(Debug, PartialEq)]
    struct Compact {
        key: String,
        count: i64,
        note: Option<String>,
        items: Option<Vec<Item>>,
    }

    impl<'de> Deserialize<'de> for Compact {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserialize(deserializer)
        }
    }

    impl Fields for Compact {
        const NAME: &'static str = "Derived";
        const FIELDS: &'static [&'static str] = &["key", "count", "note", "items"];

        fn visit<'de, S: Source<'de>>(mut source: S) -> Result<Self, S::Error> {
            let mut key = None;
            let mut count = None;
            let mut note = None;
            let mut items = None;
            while let Some(index) = source.next_field()? {
                match index {
                    0 => source.read(&mut key, "key")?,
                    1 => source.read(&mut count, "count")?,
                    2 => source.read(&mut note, "note")?,
                    _ => source.read(&mut items, "items")?,
                }
            }
            Ok(Compact {
                key: source.take(key, "key")?,
                count: source.take(count, "count")?,
                note: source.take(note, "note")?,
                items: source.take(items, "items")?,
            })
        }
    }

    impl From<Derived> for Compact {
        fn from(derived: Derived) -> Self {
            Compact {
                key: derived.key,
                count: derived.count,
                note: derived.note,
                items: derived.items,
            }
        }
    }

    fn outcomes(text: &str) -> [Result<Compact, String>; 2] {
        let value: Result<Value, _> = serde_json::from_str(text);
        let from_text = (
            serde_json::from_str::<Derived>(text).map(Compact::from),
            serde_json::from_str::<Compact>(text),
        );
        assert_eq!(
            from_text.0.as_ref().map_err(ToString::to_string),
            from_text.1.as_ref().map_err(ToString::to_string),
            "from text: {text}"
        );
        let value = value.expect("test inputs are valid JSON");
        [
            serde_json::from_value::<Derived>(value.clone())
                .map(Compact::from)
                .map_err(|error| error.to_string()),
            serde_json::from_value::<Compact>(value).map_err(|error| error.to_string()),
        ]
    }

    #[test]
    fn matches_serde_derive() {
        let inputs = [
            r#"{"key":"a","count":1,"note":"n"}"#,
            r#"{"count":1,"key":"a"}"#,
            r#"{"key":"a","note":null,"count":2}"#,
            r#"{"key":"a"}"#,
            r#"{"count":1}"#,
            r#"{}"#,
            r#"{"key":"a","count":1,"extra":true}"#,
            r#"{"key":"a","key":"b","count":1}"#,
            r#"{"key":5,"count":1}"#,
            r#"{"key":"a","count":"1"}"#,
            r#"{"key":"a","count":1,"items":[{"name":"x"},{"name":2}]}"#,
            r#"["a",1,"n"]"#,
            r#"["a",1]"#,
            r#"["a"]"#,
            r#"[]"#,
            r#"["a",1,null,null,4]"#,
            r#""text""#,
            r#"7"#,
            r#"null"#,
        ];
        for input in inputs {
            let [derived, compact] = outcomes(input);
            assert_eq!(derived, compact, "from a value: {input}");
        }
    }

    const INFO: OperationInfo = OperationInfo::for_test("db:test:unit:decode:1", "decode");

    /// Decodes `payload` on both dynamic paths: through `Deserialize` with
    /// serde's derive, and by reading the object's fields directly.
    fn decoded(payload: Value) -> [Result<Compact, String>; 2] {
        let Value::Object(fields) = payload else {
            panic!("test payloads are objects");
        };
        [
            crate::dispatch::decode_request::<Derived>(&INFO, fields.clone())
                .map(Compact::from)
                .map_err(|error| error.to_string()),
            decode_object::<Compact>(&INFO, fields).map_err(|error| error.to_string()),
        ]
    }

    #[test]
    fn decode_object_matches_serde_path() {
        let payloads = [
            json!({"key": "a", "count": 1}),
            json!({"key": "a", "count": 1, "note": "n", "items": [{"name": "x"}]}),
            json!({}),
            json!({"count": 1}),
            json!({"key": "a", "count": 1, "extra": 0}),
            json!({"key": 5, "count": 1}),
            json!({"key": "a", "count": 1.5}),
            json!({"key": "a", "count": 1, "note": ["n"]}),
            json!({"key": "a", "count": 1, "items": {"name": "x"}}),
            json!({"key": "a", "count": 1, "items": [{"name": "x"}, {"name": 2}]}),
            json!({"key": "a", "count": 1, "items": [{"name": "x", "size": 1}]}),
            json!({"key": "a", "count": 1, "items": [{}]}),
        ];
        for payload in payloads {
            let text = payload.to_string();
            let [serde_path, direct] = decoded(payload);
            assert_eq!(serde_path, direct, "{text}");
        }
    }

    #[test]
    fn decode_object_names_nested_field() {
        let [_, direct] = decoded(json!({"key": "a", "count": 1, "items": [{"name": 2}]}));
        assert_eq!(
            direct.unwrap_err(),
            "invalid payload for `db:test:unit:decode:1`: field `items[0].name`: \
             invalid type: integer `2`, expected a string"
        );
    }

    #[test]
    fn missing_option_reads_as_none() {
        let compact: Compact = serde_json::from_value(json!({"key": "a", "count": 3})).unwrap();
        assert_eq!(compact.note, None);
    }

    #[test]
    fn error_messages_name_the_field() {
        let error = serde_json::from_str::<Compact>(r#"{"key":"a","count":1,"extra":1}"#)
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("unknown field `extra`, expected one of `key`, `count`, `note`"),
            "{error}"
        );
        let error = serde_json::from_str::<Compact>(r#"{"key":"a"}"#)
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("missing field `count`"), "{error}");
    }
}
