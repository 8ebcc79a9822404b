//! Schema types: what a resource's attributes are and how they plan.
//!
//! Besides what Terraform needs on the wire (type, optional, computed,
//! sensitive, write-only, description), each attribute carries the planning
//! behaviour the generic planner in [`crate::protocol::plan`] applies: a default, whether
//! a change forces replacement, and whether a computed value stays stable.
//! Keeping both in one literal means the behaviour is visible in the schema
//! and reaches the generated docs.

use crate::protocol::cty::{Type, Value};
use crate::protocol::generated::tfplugin6 as pb;

/// One attribute of a block.
#[derive(Debug, Clone)]
pub struct Attribute {
    /// Attribute name as written in HCL.
    pub name: String,
    /// cty type.
    pub ty: Type,
    /// Markdown description; becomes the docs.
    pub description: String,
    /// Must be set in configuration.
    pub required: bool,
    /// May be set in configuration.
    pub optional: bool,
    /// The provider may set it.
    pub computed: bool,
    /// Hidden in plan output.
    pub sensitive: bool,
    /// Never stored in state or plan (Terraform 1.11+).
    pub write_only: bool,
    /// Value used when configuration leaves the attribute null; such an
    /// attribute is optional and computed on the wire.
    pub default: Option<Value>,
    /// A change of this attribute replaces the resource.
    pub requires_replace: bool,
    /// A computed value that keeps its prior value on updates instead of
    /// becoming unknown (framework's UseStateForUnknown).
    pub stable: bool,
    /// The other resource type that manages the same thing, when there is
    /// one. Private state then records whether configuration manages the
    /// attribute, and that decides what leaving it out means (see
    /// [`crate::protocol::plan`]).
    pub shared_with: Option<String>,
    /// Deprecation note, when the attribute is kept only for compatibility.
    pub deprecated: Option<String>,
    /// Free-text notes for the docs (e.g. the PostgreSQL versions supporting it).
    pub doc_notes: Vec<String>,
    /// Checks of the configured value, run before any plan.
    pub validators: Vec<Validator>,
}

/// What a failed check reports; the validator adds the attribute path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// One line, Title Case.
    pub summary: String,
    /// What is wrong and what to do instead.
    pub detail: String,
}

impl Problem {
    /// A problem with a summary and a detail.
    pub fn new(summary: impl Into<String>, detail: impl Into<String>) -> Problem {
        Problem {
            summary: summary.into(),
            detail: detail.into(),
        }
    }
}

/// A check of an attribute's configured value, declared on the attribute
/// (like the framework's validators). Values that are null or not known yet
/// pass; they are checked again once known. A rule across attributes
/// ([`Rule`]) waits until every attribute it names is known.
#[derive(Debug, Clone)]
pub enum Validator {
    /// A whole number from `min` to `max`.
    IntRange {
        /// Smallest accepted value.
        min: i64,
        /// Largest accepted value.
        max: i64,
    },
    /// One of these strings, exactly.
    OneOf(&'static [&'static str]),
    /// A rule relating the attribute to its siblings.
    Across(Rule),
    /// A check of the string, or of every string in a list or set; gets the
    /// attribute name (for messages) and the value.
    EachString(fn(&str, &str) -> Option<Problem>),
    /// A check of the whole value (a map, a list); gets the attribute name
    /// and the value, which is set and known.
    Whole(fn(&str, &Value) -> Option<Problem>),
    /// A check given the whole object holding the attribute (the
    /// configuration, or one nested block), which is set and known: for a
    /// rule that must read a sibling as the raw value has it (the names of
    /// a map whose values are not all known yet, which a view holds as
    /// unknown), or that the declared checks of a planned model must run
    /// again at apply.
    WithConfig(fn(&Value) -> Option<Problem>),
}

/// What a rule across attributes asks; declared on one attribute of the
/// group, and reported at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    /// When the attribute is set, none of the others may be.
    ConflictsWith,
    /// When the attribute is set, all of the others must be.
    RequiredWith,
    /// Exactly one of the attribute and the others is set.
    ExactlyOneOf,
    /// At least one of the attribute and the others is set.
    AtLeastOneOf,
}

/// A declared rule across sibling attributes.
#[derive(Debug, Clone)]
pub struct Rule {
    /// What it asks.
    pub kind: RuleKind,
    /// The sibling attributes it names.
    pub others: &'static [&'static str],
    /// The words of its diagnostic, when the generic ones would not say
    /// what to do.
    pub wording: Option<Problem>,
    /// Whether a sibling not known yet counts as set (for
    /// [`RuleKind::ConflictsWith`]): right for secrets, which must never be
    /// sent twice even when a plan cannot tell yet.
    pub unknown_is_set: bool,
}

impl Attribute {
    fn new(name: &str, ty: Type, description: &str) -> Attribute {
        Attribute {
            name: name.to_string(),
            ty,
            description: description.to_string(),
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            write_only: false,
            default: None,
            requires_replace: false,
            stable: false,
            shared_with: None,
            deprecated: None,
            doc_notes: Vec::new(),
            validators: Vec::new(),
        }
    }

    /// A required attribute.
    pub fn required(name: &str, ty: Type, description: &str) -> Attribute {
        Attribute {
            required: true,
            ..Attribute::new(name, ty, description)
        }
    }

    /// An optional attribute.
    pub fn optional(name: &str, ty: Type, description: &str) -> Attribute {
        Attribute {
            optional: true,
            ..Attribute::new(name, ty, description)
        }
    }

    /// A read-only attribute set by the provider.
    pub fn computed(name: &str, ty: Type, description: &str) -> Attribute {
        Attribute {
            computed: true,
            ..Attribute::new(name, ty, description)
        }
    }

    /// Makes an optional attribute also computed (the provider fills it when unset).
    pub fn and_computed(mut self) -> Attribute {
        self.computed = true;
        self
    }

    /// Gives the attribute a default; it becomes optional and computed.
    pub fn with_default(mut self, v: Value) -> Attribute {
        self.optional = true;
        self.required = false;
        self.computed = true;
        self.default = Some(v);
        self
    }

    /// Gives the attribute a default (see [`Attribute::with_default`]).
    pub fn default(self, v: impl Into<Value>) -> Attribute {
        self.with_default(v.into())
    }

    /// Marks the attribute sensitive.
    pub fn sensitive(mut self) -> Attribute {
        self.sensitive = true;
        self
    }

    /// Marks the attribute write-only.
    pub fn write_only(mut self) -> Attribute {
        self.write_only = true;
        self
    }

    /// A change replaces the resource.
    pub fn replaces(mut self) -> Attribute {
        self.requires_replace = true;
        self
    }

    /// A computed value that keeps its prior value on updates.
    pub fn stable(mut self) -> Attribute {
        self.stable = true;
        self
    }

    /// Declares that resource type `other` manages the same thing. Left
    /// out of configuration, the attribute keeps what the database holds
    /// when configuration never managed it (the object was created or
    /// imported without it), and is emptied, visibly, when configuration
    /// managed it at the last apply or when nothing was recorded (states
    /// written by the reference provider, which is what it did).
    pub fn shared_with(mut self, other: &str) -> Attribute {
        self.shared_with = Some(other.to_string());
        self.computed = true;
        self.doc_notes.push(format!(
            "`{other}` can manage the same thing. Left out of the configuration of a resource \
             created or imported without it, it keeps what the database holds, so the two \
             resource types do not fight. Removed from a configuration that set it, it is \
             emptied, and the plan shows that; so it is in a state written by the reference \
             provider, as there (`lifecycle {{ ignore_changes = [{name}] }}` keeps it).",
            name = self.name
        ));
        self
    }

    /// Marks the attribute deprecated with a note.
    pub fn deprecated(mut self, note: &str) -> Attribute {
        self.deprecated = Some(note.to_string());
        self
    }

    /// Adds a note for the docs.
    pub fn note(mut self, note: &str) -> Attribute {
        self.doc_notes.push(note.to_string());
        self
    }

    /// Adds a check of the configured value.
    pub fn validate(mut self, v: Validator) -> Attribute {
        self.validators.push(v);
        self
    }

    fn rule(self, kind: RuleKind, others: &'static [&'static str]) -> Attribute {
        self.validate(Validator::Across(Rule {
            kind,
            others,
            wording: None,
            unknown_is_set: false,
        }))
    }

    /// May not be set together with any of `others`.
    pub fn conflicts_with(self, others: &'static [&'static str]) -> Attribute {
        self.rule(RuleKind::ConflictsWith, others)
    }

    /// When set, `others` must be set too.
    pub fn required_with(self, others: &'static [&'static str]) -> Attribute {
        self.rule(RuleKind::RequiredWith, others)
    }

    /// Exactly one of this attribute and `others` must be set.
    pub fn exactly_one_of(self, others: &'static [&'static str]) -> Attribute {
        self.rule(RuleKind::ExactlyOneOf, others)
    }

    /// At least one of this attribute and `others` must be set.
    pub fn at_least_one_of(self, others: &'static [&'static str]) -> Attribute {
        self.rule(RuleKind::AtLeastOneOf, others)
    }

    /// Words the diagnostic of the rule declared last.
    pub fn saying(mut self, summary: &str, detail: &str) -> Attribute {
        if let Some(Validator::Across(rule)) = self.validators.last_mut() {
            rule.wording = Some(Problem::new(summary, detail));
        }
        self
    }

    /// In the rule declared last, a sibling not known yet counts as set
    /// (see [`Rule::unknown_is_set`]).
    pub fn unknown_counts_as_set(mut self) -> Attribute {
        if let Some(Validator::Across(rule)) = self.validators.last_mut() {
            rule.unknown_is_set = true;
        }
        self
    }

    /// Checks the whole value with `check`.
    pub fn check(self, check: fn(&str, &Value) -> Option<Problem>) -> Attribute {
        self.validate(Validator::Whole(check))
    }

    /// Checks the string, or every string of a list or set, with `check`.
    pub fn each(self, check: fn(&str, &str) -> Option<Problem>) -> Attribute {
        self.validate(Validator::EachString(check))
    }

    /// Accepts only whole numbers from `min` to `max`.
    pub fn int_range(self, min: i64, max: i64) -> Attribute {
        self.validate(Validator::IntRange { min, max })
    }

    fn to_proto(&self) -> pb::schema::Attribute {
        pb::schema::Attribute {
            name: self.name.clone(),
            r#type: self.ty.to_json_bytes(),
            description: self.full_description(),
            required: self.required,
            optional: self.optional,
            computed: self.computed,
            sensitive: self.sensitive,
            write_only: self.write_only,
            description_kind: pb::StringKind::Markdown as i32,
            deprecated: self.deprecated.is_some(),
            deprecation_message: self.deprecated.clone().unwrap_or_default(),
            ..Default::default()
        }
    }

    /// Description plus notes, as shown in docs and the language server.
    pub fn full_description(&self) -> String {
        let mut d = self.description.clone();
        for n in &self.doc_notes {
            d.push(' ');
            d.push_str(n);
        }
        if let Some(dep) = &self.deprecated {
            d.push_str(" **Deprecated:** ");
            d.push_str(dep);
        }
        d
    }
}

/// How a nested block repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nesting {
    /// At most one, may be absent (null).
    Single,
    /// A list of blocks.
    List,
    /// A set of blocks.
    Set,
}

/// A nested block type.
#[derive(Debug, Clone)]
pub struct NestedBlock {
    /// Block type name as written in HCL.
    pub name: String,
    /// The block's content.
    pub block: Block,
    /// How it repeats.
    pub nesting: Nesting,
    /// Maximum count for list and set nesting (0 = unlimited).
    pub max_items: i64,
}

impl NestedBlock {
    /// Allows at most `n` blocks (0: no limit).
    pub fn max_items(mut self, n: i64) -> NestedBlock {
        self.max_items = n;
        self
    }
}

/// A block: attributes plus nested block types.
#[derive(Debug, Clone, Default)]
pub struct Block {
    /// Markdown description of the whole block.
    pub description: String,
    /// Attributes in declaration order.
    pub attributes: Vec<Attribute>,
    /// Nested block types.
    pub blocks: Vec<NestedBlock>,
}

impl Block {
    /// The cty object type this block is encoded as.
    pub fn implied_type(&self) -> Type {
        let mut attrs: Vec<(String, Type)> = self
            .attributes
            .iter()
            .map(|a| (a.name.clone(), a.ty.clone()))
            .collect();
        for b in &self.blocks {
            let inner = b.block.implied_type();
            let ty = match b.nesting {
                Nesting::Single => inner,
                Nesting::List => Type::list(inner),
                Nesting::Set => Type::set(inner),
            };
            attrs.push((b.name.clone(), ty));
        }
        Type::object(attrs)
    }

    /// Looks up an attribute by name.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    fn to_proto(&self) -> pb::schema::Block {
        pb::schema::Block {
            version: 0,
            attributes: self.attributes.iter().map(Attribute::to_proto).collect(),
            block_types: self
                .blocks
                .iter()
                .map(|b| pb::schema::NestedBlock {
                    type_name: b.name.clone(),
                    block: Some(b.block.to_proto()),
                    nesting: match b.nesting {
                        Nesting::Single => pb::schema::nested_block::NestingMode::Single,
                        Nesting::List => pb::schema::nested_block::NestingMode::List,
                        Nesting::Set => pb::schema::nested_block::NestingMode::Set,
                    } as i32,
                    min_items: 0,
                    max_items: b.max_items,
                })
                .collect(),
            description: self.description.clone(),
            description_kind: pb::StringKind::Markdown as i32,
            deprecated: false,
            deprecation_message: String::new(),
        }
    }
}

/// A versioned schema of a provider, resource or data source.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    /// Schema version stored in state; bumped when state must be upgraded.
    pub version: i64,
    /// The top-level block.
    pub block: Block,
}

impl Schema {
    /// Converts to the wire form.
    pub fn to_proto(&self) -> pb::Schema {
        let mut block = self.block.to_proto();
        block.version = self.version;
        pb::Schema {
            version: self.version,
            block: Some(block),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_makes_optional_computed() {
        let a = Attribute::optional("inherit", Type::Bool, "d").with_default(Value::bool(true));
        assert!(a.optional && a.computed && !a.required);
        let p = a.to_proto();
        assert_eq!(p.r#type, b"\"bool\"".to_vec());
    }

    #[test]
    fn implied_type_includes_blocks() {
        let b = Block {
            attributes: vec![Attribute::required("host", Type::String, "h")],
            blocks: vec![NestedBlock {
                name: "clientcert".into(),
                block: Block {
                    attributes: vec![Attribute::required("cert", Type::String, "c")],
                    ..Default::default()
                },
                nesting: Nesting::List,
                max_items: 1,
            }],
            ..Default::default()
        };
        let json = b.implied_type().to_json();
        assert_eq!(json[0], "object");
        assert_eq!(json[1]["clientcert"][0], "list");
    }
}
