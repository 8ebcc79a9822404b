//! The committed docs must be exactly what the generator produces from the
//! schemas and examples. Regenerate with `UPDATE_DOCS=1 cargo test --test docs`
//! (or `make docs`).

use std::path::Path;

use pgwarden::protocol::docs::render_site;
use pgwarden::resources::PostgresProvider;

#[test]
fn committed_docs_match_the_schema() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let pages = render_site(&PostgresProvider::new(), root);
    let update = std::env::var("UPDATE_DOCS").is_ok_and(|v| !v.is_empty());
    let mut stale = Vec::new();
    for page in &pages {
        let path = root.join(&page.path);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current != page.content {
            if update {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, &page.content).unwrap();
            } else {
                stale.push(page.path.display().to_string());
            }
        }
    }
    // A page for a type that no longer exists is stale too.
    for dir in [
        "docs/resources",
        "docs/data-sources",
        "docs/functions",
        "docs/actions",
        "docs/ephemeral-resources",
    ] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for e in entries.flatten() {
            let rel = Path::new(dir).join(e.file_name());
            if !pages.iter().any(|p| p.path == rel) {
                if update {
                    std::fs::remove_file(e.path()).unwrap();
                } else {
                    stale.push(format!("{} (no longer generated)", rel.display()));
                }
            }
        }
    }
    assert!(
        stale.is_empty(),
        "docs are out of date: {stale:?}\nRegenerate with: UPDATE_DOCS=1 cargo test --test docs"
    );
}

/// Each fact about an attribute is stated once: the generator adds the
/// replacement note from the schema, so descriptions must not say it too.
#[test]
fn attribute_notes_are_not_repeated() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for page in render_site(&PostgresProvider::new(), root) {
        for line in page.content.lines().filter(|l| l.starts_with("- `")) {
            for phrase in ["replaces the", "Defaults to"] {
                assert!(
                    line.matches(phrase).count() <= 1,
                    "{} repeats {phrase:?}: {line}",
                    page.path.display()
                );
            }
        }
    }
}

/// Users moving over must learn that two resources' IDs changed format:
/// the state moves without a diff, but configurations reading `.id` see it.
#[test]
fn migration_guide_explains_the_changed_ids() {
    let guide = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/guides/migrating-from-cyrilgdn.md"),
    )
    .expect("migration guide");
    let section = guide
        .split("**Resource IDs**")
        .nth(1)
        .expect("a Resource IDs item in the guide");
    for needle in [
        "postgresql_grant",
        "postgresql_default_privileges",
        "`_`",
        "`/`",
        "`.id`",
    ] {
        assert!(
            section.contains(needle),
            "the guide's ID note lacks {needle}"
        );
    }
}

/// The Pulumi and OpenTofu guides cover what their users trip over.
#[test]
fn pulumi_and_opentofu_guides_cover_the_essentials() {
    let read = |p: &str| {
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(p))
            .unwrap_or_else(|e| panic!("{p}: {e}"))
    };
    let pulumi = read("docs/guides/pulumi.md");
    for needle in [
        "pulumi package add terraform-provider",
        "search_paths",
        "scram_sha256_verifier",
        "with_admin_option=True",
        "secret",
        "neither ephemeral resources nor actions",
    ] {
        assert!(pulumi.contains(needle), "pulumi.md lacks {needle}");
    }
    let tofu = read("docs/guides/opentofu.md");
    for needle in [
        "1.11",
        "password_wo",
        "list resource",
        "registry.opentofu.org",
        "**Ephemeral resources** from OpenTofu 1.11",
        "OpenTofu runs no actions",
    ] {
        assert!(tofu.contains(needle), "opentofu.md lacks {needle}");
    }
}

/// The actions guide gives the recipes and the version facts users need.
#[test]
fn actions_guide_covers_versions_recipes_and_cleanup() {
    let guide = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/guides/actions.md"),
    )
    .expect("actions guide");
    for needle in [
        "-invoke=action.postgresql_terminate_sessions",
        "action_trigger",
        "hashicorp/terraform#37930",
        "after_destroy",
        "1.16",
        "cleanup_expired",
        "`plan` as well as `apply`",
        "VALID UNTIL",
    ] {
        assert!(guide.contains(needle), "actions.md lacks {needle:?}");
    }
}
