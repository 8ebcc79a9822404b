# Convenience targets; each one is a thin wrapper over a script in scripts/.
.PHONY: build test demo install release docs

build:
	cargo build --release --locked

test:
	scripts/test.sh

demo:
	scripts/demo.sh

# Builds a release binary into a filesystem mirror (MIRROR=dir, default target/mirror).
install:
	scripts/package.sh install $(MIRROR)

# Builds the registry artifacts: zip, SHA256SUMS, manifest (DIST=dir, default target/dist).
release:
	scripts/package.sh release $(DIST)

# Regenerates docs/ from the schemas and examples.
docs:
	UPDATE_DOCS=1 cargo test --locked --test docs
