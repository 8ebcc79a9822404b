//! What Pulumi's Terraform bridge needs from the schema, checked on the
//! schema real Terraform reports (`terraform providers schema -json`):
//! * every resource has a computed (not configurable) string `id`, which the
//!   bridge takes as the Pulumi ID;
//! * no `dynamic` types, which become untyped `Any` in every SDK;
//! * every resource, data source, attribute, block and function parameter
//!   has a description, which becomes the SDK's documentation;
//! * no attribute takes a name Pulumi reserves (`urn`, `pulumi`; `id`
//!   unless computed; `version` in the provider configuration);
//! * no list attribute's pluralized name (the bridge pluralizes list and set
//!   attributes: `search_path` becomes `search_paths`) collides with another
//!   attribute.

use serde_json::Value as Json;

use crate::support::Workspace;

/// The provider's schema as Terraform reports it.
fn provider_schema() -> Json {
    let ws = Workspace::new();
    ws.write_config_raw(
        "terraform {\n  required_providers {\n    postgresql = { source = \"pgwarden/postgresql\" }\n  }\n}\n",
    );
    let out = ws.run_ok(&["providers", "schema", "-json"]);
    let all: Json = serde_json::from_str(&out.stdout).expect("schema JSON");
    all["provider_schemas"]["registry.terraform.io/pgwarden/postgresql"].clone()
}

/// Problems in one block and its nested blocks; `reserved` holds the names
/// this block must not use.
fn check_block(path: &str, block: &Json, reserved: &[&str], problems: &mut Vec<String>) {
    let attrs = block["attributes"].as_object().cloned().unwrap_or_default();
    let blocks = block["block_types"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for (name, a) in &attrs {
        let at = format!("{path}.{name}");
        if a["description"].as_str().is_none_or(str::is_empty) {
            problems.push(format!("{at}: no description"));
        }
        if contains_dynamic(&a["type"]) {
            problems.push(format!("{at}: dynamic type"));
        }
        if reserved.contains(&name.as_str()) {
            problems.push(format!("{at}: a name Pulumi reserves"));
        }
        let is_list = a["type"]
            .as_array()
            .and_then(|t| t.first())
            .and_then(Json::as_str)
            .is_some_and(|k| k == "list" || k == "set");
        let plural = plural_of(name);
        if is_list
            && plural != *name
            && (attrs.contains_key(&plural) || blocks.contains_key(&plural))
        {
            problems.push(format!(
                "{at}: pluralized by Pulumi into {plural}, which exists"
            ));
        }
        check_object_types(&at, &a["type"], problems);
    }
    for (name, b) in &blocks {
        let at = format!("{path}.{name}");
        if b["block"]["description"].as_str().is_none_or(str::is_empty) {
            problems.push(format!("{at}: block without a description"));
        }
        check_block(&at, &b["block"], &["urn", "pulumi"], problems);
    }
}

/// Roughly the bridge's pluralizer: what a list attribute is renamed to.
fn plural_of(name: &str) -> String {
    if name.ends_with("ss") || name.ends_with('x') || name.ends_with("ch") || name.ends_with("sh") {
        format!("{name}es")
    } else if name.ends_with('s') {
        name.to_string()
    } else if let Some(stem) = name
        .strip_suffix('y')
        .filter(|s| !s.ends_with(['a', 'e', 'i', 'o', 'u']))
    {
        format!("{stem}ies")
    } else {
        format!("{name}s")
    }
}

/// The same collision check inside object types (`list(object({...}))`).
fn check_object_types(path: &str, ty: &Json, problems: &mut Vec<String>) {
    let Some(items) = ty.as_array() else { return };
    if items.first().and_then(Json::as_str) == Some("object") {
        let Some(fields) = items.get(1).and_then(Json::as_object) else {
            return;
        };
        for (name, field) in fields {
            let is_list = field
                .as_array()
                .and_then(|t| t.first())
                .and_then(Json::as_str)
                .is_some_and(|k| k == "list" || k == "set");
            let plural = plural_of(name);
            if is_list && plural != *name && fields.contains_key(&plural) {
                problems.push(format!(
                    "{path}.{name}: pluralized by Pulumi into {plural}, which exists"
                ));
            }
            check_object_types(&format!("{path}.{name}"), field, problems);
        }
    } else {
        for item in items.iter().skip(1) {
            check_object_types(path, item, problems);
        }
    }
}

fn contains_dynamic(ty: &Json) -> bool {
    match ty {
        Json::String(s) => s == "dynamic",
        Json::Array(items) => items.iter().any(contains_dynamic),
        Json::Object(map) => map.values().any(contains_dynamic),
        _ => false,
    }
}

#[test]
#[ignore = "acceptance test: needs TF_ACC=1, PostgreSQL and Terraform (scripts/test.sh runs it)"]
fn schema_suits_the_pulumi_bridge() {
    if !crate::enabled() {
        return;
    }
    let schema = provider_schema();
    let mut problems = Vec::new();

    check_block(
        "provider",
        &schema["provider"]["block"],
        &["urn", "pulumi", "version"],
        &mut problems,
    );
    let resources = schema["resource_schemas"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    assert!(!resources.is_empty(), "no resources in {schema}");
    for (name, r) in &resources {
        let block = &r["block"];
        if block["description"].as_str().is_none_or(str::is_empty) {
            problems.push(format!("{name}: no description"));
        }
        let id = &block["attributes"]["id"];
        let computed_string = id["type"] == "string"
            && id["computed"] == true
            && id["optional"] != true
            && id["required"] != true
            && id["sensitive"] != true;
        if !computed_string {
            problems.push(format!(
                "{name}.id: not a computed, non-sensitive string: {id}"
            ));
        }
        check_block(name, block, &["urn", "pulumi"], &mut problems);
    }
    let data_sources = schema["data_source_schemas"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for (name, d) in &data_sources {
        if d["block"]["description"].as_str().is_none_or(str::is_empty) {
            problems.push(format!("data {name}: no description"));
        }
        check_block(
            &format!("data {name}"),
            &d["block"],
            &["urn", "pulumi"],
            &mut problems,
        );
    }
    let functions = schema["functions"].as_object().cloned().unwrap_or_default();
    assert!(!functions.is_empty(), "no functions in the schema");
    for (name, f) in &functions {
        if f["description"].as_str().is_none_or(str::is_empty) {
            problems.push(format!("function {name}: no description"));
        }
        if f["return_type"].is_null() || contains_dynamic(&f["return_type"]) {
            problems.push(format!("function {name}: no return type, or a dynamic one"));
        }
        for p in f["parameters"].as_array().into_iter().flatten() {
            if p["description"].as_str().is_none_or(str::is_empty) {
                problems.push(format!("function {name}({}): no description", p["name"]));
            }
            if contains_dynamic(&p["type"]) {
                problems.push(format!("function {name}({}): dynamic type", p["name"]));
            }
        }
    }
    eprintln!(
        "checked {} resources, {} data sources, {} functions",
        resources.len(),
        data_sources.len(),
        functions.len()
    );
    assert!(
        problems.is_empty(),
        "schema problems for Pulumi:\n{}",
        problems.join("\n")
    );
}
