# helpdesk-tray: the two commands a newcomer needs are `make demo` and `make test`.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TS     := $(wildcard resources/i18n/*.ts)
QM     := $(TS:.ts=.qm)

.PHONY: help demo demo-virtual demo-stop test test-fast lint core-coverage bench screenshots \
        resources i18n i18n-update icons system-deps clean
.PHONY: bundle
.PHONY: msi admx
.PHONY: deb

help:
	@echo "make demo          run the tray against the embedded demo desk"
	@echo "make test          set up everything, lint, check core coverage, run the whole suite"
	@echo "make lint          ruff (lint + format) and mypy"
	@echo "make bench         benchmarks (results in bench/results/, see docs/performance.md)"
	@echo "make screenshots   refresh docs/screenshots/ on a virtual display"
	@echo "make bundle        the frozen app in one folder: dist/helpdesk-tray/helpdesk-tray"
	@echo "make deb           the Debian package: dist/helpdesk-tray_<version>_amd64.deb"
	@echo "make msi           the Windows installer: dist/helpdesk-tray-<version>.msi (wixl)"
	@echo "make admx          refresh the Group Policy template in installer/windows/policy/"
	@echo "make demo-stop     stop the demo desk"

$(STAMP): pyproject.toml requirements/constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check \
		-c requirements/constraints.txt -e ".[dev,demo]"
	touch $@

resources/i18n/%.qm: resources/i18n/%.ts $(STAMP)
	$(BIN)/pyside6-lrelease -silent $< -qm $@

# Built from the sources in resources/, never committed: catalogs (.qm) and PNG icons.
resources: i18n icons

i18n: $(QM)

icons: $(STAMP)
	$(BIN)/python -m tools.render_icons

# After changing user-visible strings: refresh the catalogs, then translate the new entries.
i18n-update: $(STAMP)
	$(BIN)/pyside6-lupdate $$(find client -name '*.py' | sort) \
		-ts resources/i18n/helpdesk_tray_nl.ts -no-obsolete -locations none
	$(BIN)/pyside6-lupdate $$(find client -name '*.py' | sort) \
		-ts resources/i18n/helpdesk_tray_en.ts -no-obsolete -locations none -pluralonly

system-deps:
	@tools/install-system-deps.sh

demo: $(STAMP) resources
	$(BIN)/python -m demo.launch

demo-virtual: screenshots

demo-stop: $(STAMP)
	$(BIN)/python demo/deskctl.py stop

# CI runs this (.ci/run): the linters and the core coverage gate fail fast, before the suite.
test: lint core-coverage resources system-deps
	$(BIN)/python -m pytest

test-fast: $(STAMP) resources
	$(BIN)/python -m pytest -m "not desk and not e2e and not rt and not redmine and not frozen and not package"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# client/core at 100 % of lines and branches, measured from tests/core alone: a core rule is
# tested by a core test, not in passing by a UI test (house style, "Testing pattern").
core-coverage: $(STAMP)
	$(BIN)/python -m pytest tests/core -q --cov=client/core --cov-branch \
		--cov-report=term-missing:skip-covered --cov-fail-under=100

bench: $(STAMP) resources system-deps
	$(BIN)/python -m bench

# The frozen app, one folder (installer/helpdesk-tray.spec; its cache stays in build/pyinstaller).
bundle: $(STAMP) resources system-deps
	$(BIN)/python -m tools.freeze dist

# The Debian package from the bundle (installer/linux/, tools/build_deb.py; dpkg-deb, no debhelper).
deb: bundle
	$(BIN)/python -m tools.build_deb --bundle dist/helpdesk-tray --out dist

# The Windows installer (installer/windows/helpdesk-tray.wxs) built with wixl. On Linux no
# Windows bundle exists: the MSI carries a stand-in payload (tools/build_msi.py). With the
# Windows bundle copied here: make msi MSI_BUNDLE=path/to/helpdesk-tray
msi: $(STAMP) system-deps
	$(BIN)/python -m tools.build_msi --out dist $(if $(MSI_BUNDLE),--bundle $(MSI_BUNDLE))

# The Group Policy template, made from client/core/settings.py (committed; a test checks it).
admx: $(STAMP)
	$(BIN)/python -m tools.make_admx

screenshots: $(STAMP) resources system-deps
	@tools/install-system-deps.sh --screenshots
	$(BIN)/python -m tools.screenshots

clean:
	rm -rf $(VENV) $(QM) resources/icons/png demo/.data bench/results .pytest_cache .mypy_cache .ruff_cache \
		.coverage
