//! Registry-style documentation generated from the schemas.
//!
//! The Terraform Registry expects `docs/index.md`, `docs/resources/<name>.md`
//! and `docs/data-sources/<name>.md`, each with front matter, an example, the
//! argument reference and, for resources, the import syntax. Everything here
//! comes from the schema descriptions and the files under `examples/`, so the
//! docs cannot drift from the code: a test regenerates them and fails when the
//! committed copy differs.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::protocol::cty::{Type, Value};
use crate::protocol::function::Signature;
use crate::protocol::identity::IdentitySchema;
use crate::protocol::resource::Provider;
use crate::protocol::schema::{Attribute, Block, Nesting, Schema};

/// The provider's local name, stripped from type names for file names.
const PREFIX: &str = "postgresql_";

/// One generated page: its path relative to the repository and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// e.g. `docs/resources/role.md`.
    pub path: PathBuf,
    /// Markdown text.
    pub content: String,
}

/// Renders every page for a provider, reading examples and the index
/// template from `root` (the repository).
pub fn render_site(provider: &dyn Provider, root: &Path) -> Vec<Page> {
    let read = |p: &str| std::fs::read_to_string(root.join(p)).ok();
    let mut pages = Vec::new();

    let template = read("templates/index.md").unwrap_or_default();
    let mut index = template.replace(
        "{{ .ProviderExample }}",
        &code_block(
            "terraform",
            read("examples/provider/provider.tf").as_deref(),
        ),
    );
    let mut schema_md = String::new();
    render_block(&mut schema_md, &provider.schema().block, "");
    index = index.replace("{{ .ProviderSchema }}", schema_md.trim_end());
    pages.push(Page {
        path: PathBuf::from("docs/index.md"),
        content: index,
    });

    for r in provider.resources() {
        let name = r.type_name();
        let dir = format!("examples/resources/{name}");
        let example = read(&format!("{dir}/resource.tf"));
        let import = read(&format!("{dir}/import.sh"));
        let mut content = render_type(
            name,
            "Resource",
            &r.schema(),
            example.as_deref(),
            import.as_deref(),
        );
        if let Some(identity) = r.identity_schema() {
            render_identity(&mut content, name, &identity);
        }
        if let Some(list) = r.list_schema() {
            render_list(&mut content, name, &list);
        }
        pages.push(Page {
            path: PathBuf::from(format!("docs/resources/{}.md", short(name))),
            content,
        });
    }
    for d in provider.data_sources() {
        let name = d.type_name();
        let example = read(&format!("examples/data-sources/{name}/data-source.tf"));
        pages.push(Page {
            path: PathBuf::from(format!("docs/data-sources/{}.md", short(name))),
            content: render_type(name, "Data Source", &d.schema(), example.as_deref(), None),
        });
    }
    for a in provider.actions() {
        let name = a.type_name();
        let example = read(&format!("examples/actions/{name}/action.tf"));
        pages.push(Page {
            path: PathBuf::from(format!("docs/actions/{}.md", short(name))),
            content: with_note(
                render_type(name, "Action", &a.schema(), example.as_deref(), None),
                ACTION_NOTE,
            ),
        });
    }
    for e in provider.ephemeral_resources() {
        let name = e.type_name();
        let example = read(&format!(
            "examples/ephemeral-resources/{name}/ephemeral-resource.tf"
        ));
        pages.push(Page {
            path: PathBuf::from(format!("docs/ephemeral-resources/{}.md", short(name))),
            content: with_note(
                render_type(
                    name,
                    "Ephemeral Resource",
                    &e.schema(),
                    example.as_deref(),
                    None,
                ),
                EPHEMERAL_NOTE,
            ),
        });
    }
    for f in provider.functions() {
        let name = f.name();
        let example = read(&format!("examples/functions/{name}/function.tf"));
        pages.push(Page {
            path: PathBuf::from(format!("docs/functions/{name}.md")),
            content: render_function(name, &f.signature(), example.as_deref()),
        });
    }
    pages
}

/// A provider-defined function's page.
pub fn render_function(name: &str, sig: &Signature, example: Option<&str>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "---");
    let _ = writeln!(out, "page_title: \"{name} function - postgresql\"");
    let _ = writeln!(out, "subcategory: \"\"");
    let _ = writeln!(out, "description: |-");
    let _ = writeln!(out, "  {}", sig.summary);
    let _ = writeln!(out, "---");
    let _ = writeln!(out);
    let _ = writeln!(out, "# function: {name}");
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", sig.description);
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Provider-defined functions need Terraform 1.8 or later (OpenTofu 1.7 or later), and \
         work without a configured provider or a database."
    );
    let _ = writeln!(out);
    if example.is_some() {
        let _ = writeln!(out, "## Example Usage");
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", code_block("terraform", example));
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "## Signature");
    let _ = writeln!(out);
    let params: Vec<String> = sig
        .parameters
        .iter()
        .map(|p| format!("{} {}", p.name, hcl_type(&p.ty)))
        .collect();
    let _ = writeln!(
        out,
        "{}",
        code_block(
            "text",
            Some(&format!(
                "{name}({}) {}",
                params.join(", "),
                hcl_type(&sig.returns)
            ))
        )
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "## Arguments");
    let _ = writeln!(out);
    for (i, p) in sig.parameters.iter().enumerate() {
        let _ = writeln!(
            out,
            "{}. `{}` ({}) {}",
            i + 1,
            p.name,
            type_name(&p.ty),
            p.description
        );
    }
    out
}

/// What every action page says about the hosts that run actions.
const ACTION_NOTE: &str = "Actions need Terraform 1.14 or later: run one with `terraform apply \
     -invoke=action.TYPE.NAME`, or from a resource's `lifecycle { action_trigger { … } }`. \
     Terraform 1.14 and 1.15 trigger on `before_create`, `after_create`, `before_update` and \
     `after_update`; the destroy events and `on_failure` came with 1.16. OpenTofu and the Pulumi \
     bridge do not run actions. The [actions guide](../guides/actions.md) has the recipes and \
     the known ordering bug of 1.14 and 1.15.";

/// What every ephemeral resource page says about when it is opened.
const EPHEMERAL_NOTE: &str = "Ephemeral resources need Terraform 1.10 or later, or OpenTofu \
     1.11 or later; the Pulumi bridge does not pass them through. Terraform opens an ephemeral \
     resource whenever a run needs its values, during `plan` as well as `apply`, and closes it \
     at the end of that run; nothing of it is written to a plan or state file.";

/// A page with `note` as a paragraph after the description, before the
/// first section.
fn with_note(page: String, note: &str) -> String {
    match page.find("\n## ") {
        Some(at) => format!("{}\n{note}\n{}", &page[..at], &page[at..]),
        None => format!("{page}\n{note}\n"),
    }
}

fn short(type_name: &str) -> &str {
    type_name.strip_prefix(PREFIX).unwrap_or(type_name)
}

fn code_block(lang: &str, body: Option<&str>) -> String {
    match body {
        Some(b) => format!("```{lang}\n{}\n```", b.trim_end()),
        None => String::new(),
    }
}

/// First sentence-ish line of a description, for the front matter.
fn summary(description: &str) -> String {
    description
        .split(". ")
        .next()
        .unwrap_or(description)
        .trim_end_matches('.')
        .to_string()
        + "."
}

/// Whether a sentence names a specific PostgreSQL major version (`PostgreSQL 16`).
fn mentions_version(sentence: &str) -> bool {
    sentence.match_indices("PostgreSQL ").any(|(i, m)| {
        sentence[i + m.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    })
}

/// A resource or data source page.
pub fn render_type(
    name: &str,
    kind: &str,
    schema: &Schema,
    example: Option<&str>,
    import: Option<&str>,
) -> String {
    let mut out = String::new();
    let desc = &schema.block.description;
    let _ = writeln!(out, "---");
    let _ = writeln!(out, "page_title: \"{name} {kind} - postgresql\"");
    let _ = writeln!(out, "subcategory: \"\"");
    let _ = writeln!(out, "description: |-");
    let _ = writeln!(out, "  {}", summary(desc));
    let _ = writeln!(out, "---");
    let _ = writeln!(out);
    let _ = writeln!(out, "# {name} ({kind})");
    let _ = writeln!(out);
    let _ = writeln!(out, "{desc}");
    let _ = writeln!(out);
    if example.is_some() {
        let _ = writeln!(out, "## Example Usage");
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", code_block("terraform", example));
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "## PostgreSQL versions");
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Supported on PostgreSQL 13 to 18; the test suite runs on 15 and 17."
    );
    // An attribute depends on the server version when its notes or its
    // description name a PostgreSQL major; those sentences are repeated here.
    let versioned: Vec<(&str, Vec<String>)> = schema
        .block
        .attributes
        .iter()
        .filter_map(|a| {
            let sentences: Vec<String> = a
                .full_description()
                .split_inclusive(". ")
                .filter(|s| mentions_version(s))
                .map(|s| s.trim().to_string())
                .collect();
            (!sentences.is_empty()).then_some((a.name.as_str(), sentences))
        })
        .collect();
    if versioned.is_empty() {
        let _ = writeln!(out, "Every attribute works on every supported version.");
    } else {
        let _ = writeln!(out, "Attributes that depend on the server version:");
        let _ = writeln!(out);
        for (name, sentences) in versioned {
            let _ = writeln!(out, "- `{name}`: {}", sentences.join(" "));
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "<!-- schema generated by terraform-provider-postgresql; do not edit -->"
    );
    let _ = writeln!(out, "## Schema");
    let _ = writeln!(out);
    render_block(&mut out, &schema.block, "");
    if let Some(import) = import {
        let _ = writeln!(out);
        let _ = writeln!(out, "## Import");
        let _ = writeln!(out);
        let _ = writeln!(out, "Import is supported using the following syntax:");
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", code_block("shell", Some(import)));
    }
    out
}

/// A `##` section's heading and first paragraph, after a blank line.
fn section(out: &mut String, heading: &str, intro: &str) {
    let _ = writeln!(out);
    let _ = writeln!(out, "## {heading}");
    let _ = writeln!(out);
    let _ = writeln!(out, "{intro}");
    let _ = writeln!(out);
}

/// The `import { identity = … }` section: the identity's attributes and a
/// block to copy, with a placeholder of the right type for each value.
fn render_identity(out: &mut String, name: &str, identity: &IdentitySchema) {
    section(
        out,
        "Import by identity",
        "Terraform 1.12 and later (and OpenTofu 1.12 and later) also import by identity: \
         an `import` block with `identity` instead of `id`. Its attributes mean what the \
         attributes of the same name in the schema above mean:",
    );
    for a in &identity.attributes {
        let need = if a.required { "Required" } else { "Optional" };
        let _ = writeln!(out, "- `{}` ({need}, {})", a.name, type_name(&a.ty));
    }
    let _ = writeln!(out);
    let width = identity
        .attributes
        .iter()
        .map(|a| a.name.len())
        .max()
        .unwrap_or(0);
    let mut block = format!("import {{\n  to = {name}.example\n  identity = {{\n");
    for a in &identity.attributes {
        let placeholder = match &a.ty {
            Type::Bool => "false".to_string(),
            Type::Number => "0".to_string(),
            Type::List(_) | Type::Set(_) => format!("[\"<{}>\"]", a.name),
            _ => format!("\"<{}>\"", a.name),
        };
        let _ = writeln!(block, "    {:width$} = {placeholder}", a.name);
    }
    block.push_str("  }\n}");
    let _ = writeln!(out, "{}", code_block("terraform", Some(&block)));
}

/// The `terraform query` section: the filters a `list` block's `config`
/// takes for this type.
fn render_list(out: &mut String, name: &str, list: &Schema) {
    section(
        out,
        "Listing with `terraform query`",
        &format!(
            "Terraform 1.14 and later find existing objects with a `list \"{name}\"` block in \
             a `.tfquery.hcl` file, and `terraform query -generate-config-out=FILE` writes the \
             configuration and import blocks for them (OpenTofu does not support list blocks). \
             The [guide to importing an existing database](../guides/importing-an-existing-database.md) \
             says what each type lists and which of PostgreSQL's own objects it leaves out. \
             Every filter of the `config` block is optional:"
        ),
    );
    for a in &list.block.attributes {
        attribute_line(out, a);
    }
    let _ = writeln!(out);
    let filters: Vec<String> = list
        .block
        .attributes
        .iter()
        .map(|a| format!("    # {} = \"…\"", a.name))
        .collect();
    let block = format!(
        "list \"{name}\" \"all\" {{\n  provider = postgresql\n  limit    = 1000\n  config {{\n{}\n  }}\n}}",
        filters.join("\n")
    );
    let _ = writeln!(out, "{}", code_block("terraform", Some(&block)));
}

/// One attribute's line in a reference list: name, type label, text.
fn attribute_line(out: &mut String, a: &Attribute) {
    let _ = writeln!(
        out,
        "- `{}` ({}) {}",
        a.name,
        type_label(a),
        attribute_text(a)
    );
}

/// A heading of the argument reference and which attributes go under it.
type AttributeGroup = (&'static str, fn(&Attribute) -> bool);

/// Argument reference grouped as the Registry does: required, optional, read-only.
fn render_block(out: &mut String, block: &Block, anchor: &str) {
    let groups: [AttributeGroup; 3] = [
        ("Required", |a| a.required),
        ("Optional", |a| a.optional),
        ("Read-Only", |a| a.computed && !a.optional && !a.required),
    ];
    for (title, pick) in groups {
        let mut attrs: Vec<&Attribute> = block.attributes.iter().filter(|a| pick(a)).collect();
        let blocks: Vec<_> = if title == "Optional" {
            block.blocks.iter().collect()
        } else {
            Vec::new()
        };
        if attrs.is_empty() && blocks.is_empty() {
            continue;
        }
        attrs.sort_by(|a, b| a.name.cmp(&b.name));
        let _ = writeln!(out, "### {title}");
        let _ = writeln!(out);
        for a in attrs {
            attribute_line(out, a);
        }
        for b in &blocks {
            let _ = writeln!(
                out,
                "- `{}` (Block {}) {} (see [below for nested schema](#nestedblock--{anchor}{}))",
                b.name,
                match b.nesting {
                    Nesting::Single => "Single".to_string(),
                    Nesting::List if b.max_items > 0 => format!("List, Max: {}", b.max_items),
                    Nesting::List => "List".to_string(),
                    Nesting::Set => "Set".to_string(),
                },
                b.block.description,
                b.name
            );
        }
        let _ = writeln!(out);
    }
    for b in &block.blocks {
        let _ = writeln!(out, "<a id=\"nestedblock--{anchor}{}\"></a>", b.name);
        let _ = writeln!(out, "### Nested Schema for `{}`", b.name);
        let _ = writeln!(out);
        let mut inner = String::new();
        render_block(&mut inner, &b.block, &format!("{anchor}{}--", b.name));
        out.push_str(&inner.replace("### ", "#### "));
    }
}

fn type_label(a: &Attribute) -> String {
    let mut label = type_name(&a.ty);
    if a.sensitive {
        label.push_str(", Sensitive");
    }
    if a.write_only {
        label.push_str(", Write-only");
    }
    if a.deprecated.is_some() {
        label.push_str(", Deprecated");
    }
    label
}

/// A type as HCL writes type constraints (`list(string)`).
fn hcl_type(t: &Type) -> String {
    match t.to_json() {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    }
}

fn type_name(t: &Type) -> String {
    match t {
        Type::String => "String".into(),
        Type::Number => "Number".into(),
        Type::Bool => "Boolean".into(),
        Type::Dynamic => "Dynamic".into(),
        Type::List(e) => format!("List of {}", type_name(e)),
        Type::Set(e) => format!("Set of {}", type_name(e)),
        Type::Map(e) => format!("Map of {}", type_name(e)),
        Type::Object { .. } => "Object".into(),
        Type::Tuple(_) => "Tuple".into(),
    }
}

fn attribute_text(a: &Attribute) -> String {
    let mut text = a.full_description();
    if let Some(d) = &a.default {
        let _ = write!(text, " Defaults to `{}`.", literal(d));
    }
    if a.requires_replace {
        text.push_str(" Changing it replaces the resource.");
    }
    text
}

fn literal(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.as_str().to_string(),
        Value::Set(items) | Value::List(items) => {
            let inner: Vec<String> = items.iter().map(literal).collect();
            format!("[{}]", inner.join(", "))
        }
        _ => "null".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_groups_and_flags() {
        let schema = Schema {
            version: 0,
            block: Block {
                description: "Manages a thing. More text.".into(),
                attributes: vec![
                    Attribute::required("name", Type::String, "The name."),
                    Attribute::optional("pw", Type::String, "Secret.")
                        .sensitive()
                        .write_only(),
                    Attribute::optional("flag", Type::Bool, "A flag.")
                        .with_default(Value::bool(true)),
                    Attribute::computed("id", Type::String, "Id."),
                    Attribute::optional("set_option", Type::Bool, "Set.")
                        .note("Requires PostgreSQL 16 or later."),
                ],
                blocks: vec![],
            },
        };
        let page = render_type(
            "postgresql_thing",
            "Resource",
            &schema,
            Some("x"),
            Some("terraform import a b"),
        );
        assert!(page.contains("### Required\n\n- `name` (String) The name."));
        assert!(page.contains("- `pw` (String, Sensitive, Write-only) Secret."));
        assert!(page.contains("Defaults to `true`."));
        assert!(page.contains("### Read-Only\n\n- `id` (String) Id."));
        assert!(page.contains("- `set_option`: Requires PostgreSQL 16 or later."));
        assert!(page.contains("## Import"));
        assert!(page.contains("  Manages a thing."));
    }
}
