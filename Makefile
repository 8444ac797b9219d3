# Steadfast — durable workflows for Swift with PostgreSQL as the orchestrator.
# `make` lists the targets. Every target honours DATABASE_URL: set, it uses that server and
# starts nothing; unset, it uses the project's own PostgreSQL (scripts/db.sh, in .pgdata/).

SHELL := /bin/bash
.DEFAULT_GOAL := help
# Swift: `swift` on PATH, else $SWIFT_TOOLCHAIN/usr/bin (default /opt/swift) — scripts/toolchain.sh.
SWIFT = source scripts/toolchain.sh && swift

DB_URL = $${DATABASE_URL:-$$(scripts/db.sh url)}

.PHONY: help
help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_\/-]+:.*## / {printf "  \033[1m%-14s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: db/up
db/up: ## Install what is missing and start the project's own PostgreSQL (unix socket in .pgdata/)
	@scripts/db.sh up

.PHONY: db/down
db/down: ## Stop the project's PostgreSQL (its data stays; db/clean removes it)
	@scripts/db.sh down

.PHONY: db/clean
db/clean: ## Stop the project's PostgreSQL and delete its data directory
	@scripts/db.sh clean

.PHONY: db/url
db/url: ## Print the DATABASE_URL of the project's PostgreSQL
	@scripts/db.sh url

.PHONY: psql
psql: db/up ## Open psql on the database
	@psql "$(DB_URL)"

.PHONY: sql
sql: ## Write the install/upgrade bundle to dist/steadfast.sql (apply with psql -f)
	@mkdir -p dist && scripts/bundle.sh > dist/steadfast.sql && echo "wrote dist/steadfast.sql"

.PHONY: migrate
migrate: sql db/up ## Install or upgrade the engine in the database (safe to repeat, and concurrently)
	@psql "$(DB_URL)" -Xq -At -v ON_ERROR_STOP=1 -f dist/steadfast.sql >/dev/null \
	  && echo "migrated: schema version $$(psql "$(DB_URL)" -XAtc 'select steadfast.schema_version()')"

.PHONY: test
test: ## Run every test (pgTAP and Swift) against a throwaway PostgreSQL
	@scripts/test.sh all

.PHONY: test/sql
test/sql: ## Run the pgTAP tests (Tests/sql) with pg_prove
	@scripts/test.sh sql

.PHONY: test/swift
test/swift: ## Run the Swift tests (Tests/SteadfastTests)
	@scripts/test.sh swift

.PHONY: build
build: ## Build the Swift package
	@$(SWIFT) build

.PHONY: demo
demo: ## Run a workflow, kill -9 its worker mid-way, and watch a second worker finish it
	@scripts/demo.sh

.PHONY: docs
docs: ## Build the API documentation (DocC) of Steadfast, SteadfastTesting and SteadfastDashboard into dist/docs
	@scripts/docs.sh

.PHONY: quickstart
quickstart: ## Build the README's app (examples/quickstart: a worker and place-order) as its own package and run it
	@scripts/quickstart.sh

.PHONY: example-python
example-python: ## Run examples/python/operate.py (psycopg, in .venv) against the worker the repository ships for it
	@scripts/example-python.sh

.PHONY: bench
bench: ## Measure per-step overhead, throughput, recovery and memory beside the machine's floor (not part of test)
	@scripts/bench.sh

.PHONY: chaos
chaos: ## Fault-injection suite: workers and PostgreSQL killed, stopped, restarted, failed over; checks nothing was lost (not part of test)
	@scripts/chaos.sh
