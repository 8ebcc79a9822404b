//! A resource's private state: bytes Terraform stores beside the state,
//! never shows, and hands back on the next plan, apply and read.
//!
//! The provider keeps one thing there: for each attribute that another
//! resource type manages too (declared with `Attribute::shared_with`),
//! whether configuration managed it at the last apply. That record decides
//! what leaving the attribute out means (see [`crate::protocol::plan`]).
//!
//! The bytes are a JSON object. Other providers' private state, such as
//! the reference provider's SDK metadata after `terraform state
//! replace-provider`, is JSON too; its keys are kept, and a state without
//! our key, or with bytes that are not JSON at all, simply has no record.

use std::collections::BTreeMap;

use crate::protocol::cty::Value;
use crate::protocol::schema::Schema;

/// The key under which the provider keeps its records.
const KEY: &str = "pgwarden_managed";

/// A decoded private state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Private {
    /// Attribute name → whether configuration manages it.
    managed: BTreeMap<String, bool>,
    /// Whatever else the bytes held, kept as it was.
    rest: serde_json::Map<String, serde_json::Value>,
}

impl Private {
    /// Reads private state bytes. Nothing readable is no record: an empty
    /// private state, another provider's, or bytes that are not JSON.
    pub fn decode(bytes: &[u8]) -> Private {
        let Ok(serde_json::Value::Object(mut rest)) = serde_json::from_slice(bytes) else {
            return Private::default();
        };
        let managed = match rest.remove(KEY) {
            Some(serde_json::Value::Object(m)) => m
                .into_iter()
                .filter_map(|(k, v)| v.as_bool().map(|b| (k, b)))
                .collect(),
            _ => BTreeMap::new(),
        };
        Private { managed, rest }
    }

    /// The bytes to hand back to Terraform; empty when there is nothing to
    /// keep, as Terraform stores no private state then.
    pub fn encode(&self) -> Vec<u8> {
        if self.managed.is_empty() && self.rest.is_empty() {
            return Vec::new();
        }
        let mut out = self.rest.clone();
        if !self.managed.is_empty() {
            let managed = self
                .managed
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::Bool(*v)))
                .collect();
            out.insert(KEY.to_string(), serde_json::Value::Object(managed));
        }
        serde_json::to_vec(&serde_json::Value::Object(out)).unwrap_or_default()
    }

    /// Whether configuration managed `attr` at the last apply; `None` when
    /// nothing was recorded (a state written before the record existed, or
    /// by another provider).
    pub fn managed(&self, attr: &str) -> Option<bool> {
        self.managed.get(attr).copied()
    }

    /// Records whether configuration manages `attr`.
    pub fn set_managed(&mut self, attr: &str, managed: bool) {
        self.managed.insert(attr.to_string(), managed);
    }

    /// After a successful apply: each shared attribute of `schema` is
    /// managed exactly when `config` sets it.
    pub fn after_apply(mut self, schema: &Schema, config: &Value) -> Private {
        for attr in schema
            .block
            .attributes
            .iter()
            .filter(|a| a.shared_with.is_some())
        {
            self.set_managed(&attr.name, !config.get(&attr.name).is_null());
        }
        self
    }

    /// After an import: no configuration has managed anything yet, so each
    /// shared attribute keeps what the database holds until one does.
    pub fn after_import(schema: &Schema) -> Private {
        let mut p = Private::default();
        for attr in schema
            .block
            .attributes
            .iter()
            .filter(|a| a.shared_with.is_some())
        {
            p.set_managed(&attr.name, false);
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreadable_bytes_are_no_record() {
        for bytes in [
            &b""[..],
            b"not json",
            b"[1,2]",
            b"{\"schema_version\":\"1\"}",
        ] {
            assert_eq!(Private::decode(bytes).managed("roles"), None, "{bytes:?}");
        }
    }

    #[test]
    fn records_round_trip_and_keep_other_keys() {
        let mut p = Private::decode(br#"{"schema_version":"1"}"#);
        p.set_managed("roles", true);
        let again = Private::decode(&p.encode());
        assert_eq!(again.managed("roles"), Some(true));
        let json: serde_json::Value = serde_json::from_slice(&again.encode()).unwrap();
        assert_eq!(json["schema_version"], "1");
    }

    #[test]
    fn nothing_to_keep_is_empty() {
        assert!(Private::default().encode().is_empty());
    }
}
