# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The Azure CLI for tests/azcli, in a venv of its own: azure-cli pins SDK versions the project does not use.
AZ_VENV := .venv-az
AZ_STAMP := $(AZ_VENV)/.installed-2.91.0

.PHONY: install az-cli run test lint typecheck unit bench docs clean

install: $(STAMP)

# Reinstall only when the package metadata changes. uv (a dev dependency) installs the ~100 packages
# in ~6 s where pip takes ~50 s; pip only bootstraps it.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet 'uv>=0.5,<1'
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[dev]'
	touch $(STAMP)

# uv installs azure-cli's ~200 wheels in seconds where pip takes minutes.
az-cli: $(AZ_STAMP)

$(AZ_STAMP): | $(STAMP)
	rm -rf $(AZ_VENV)
	$(BIN)/uv venv --quiet --python-preference only-system --python $(BIN)/python $(AZ_VENV)
	$(BIN)/uv pip install --quiet --python $(AZ_VENV)/bin/python azure-cli==2.91.0
	touch $(AZ_STAMP)

# The first tutorial on the local cloud (state in .provision/): apply, prove the access, show the outputs.
TUTORIAL := scenarios/vm-system-identity-arm.yaml

run: $(STAMP)
	$(BIN)/provision validate scenarios/*.yaml
	$(BIN)/provision apply $(TUTORIAL) --target local --auto-approve
	$(BIN)/provision verify $(TUTORIAL) --target local
	$(BIN)/provision output --deployment $(basename $(notdir $(TUTORIAL)))
	@echo
	@echo "The other tutorials (see docs/scenarios.md); add --var prefix=NAME --deployment NAME for a copy of your own:"
	@for scenario in scenarios/*.yaml; do \
		[ "$$scenario" = "$(TUTORIAL)" ] || echo "  $(BIN)/provision apply $$scenario --auto-approve && $(BIN)/provision verify $$scenario"; \
	done
	@echo "Tear one down with: $(BIN)/provision destroy SCENARIO --auto-approve"

lint: $(STAMP)
	$(BIN)/ruff check provisioner tests bench
	$(BIN)/ruff format --check provisioner tests bench

typecheck: $(STAMP)
	$(BIN)/mypy provisioner

# pytest exits 5 when it collects no test: not a failure of the code under test.
test: lint typecheck $(AZ_STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile -q || test $$? -eq 5

bench: $(STAMP) $(AZ_STAMP)
	$(BIN)/python -m bench

# The per-kind sections of docs/scenario-language.md and the JSON schema, from the kind modules.
docs: $(STAMP)
	$(BIN)/python -m provisioner.scenario.reference --write
	$(BIN)/provision schema > scenarios/scenario.schema.json

clean:
	rm -rf $(VENV) $(AZ_VENV) .provision .mypy_cache .ruff_cache .pytest_cache
